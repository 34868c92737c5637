"""The review's pages, one module per area; each exports its `urls`."""

"""The demo province, above every app: it builds the tree (org), accounts, members and meetings
through each app's services, in order (province.build calls members' part before and after the
2025 reform, then meetings'). `chibo demo` loads it; `chibo demo_logins` prints the accounts."""

"""Party documents in the Hướng dẫn 36-HD/VPTW layout (domain-rules §7), as Word and PDF.

One description of a document (`Doc`) is rendered twice: to DOCX with python-docx and to PDF
with WeasyPrint from the HTML template `documents/party_document.html`. Both carry the same
header block (superior body, issuing body in bold, "*", number on the left; "ĐẢNG CỘNG SẢN VIỆT
NAM" underlined and the place and date in italics on the right), the type and summary, the body,
the signature block and the recipients. Fonts: Times New Roman where installed, else its
metric twin Liberation Serif (Debian fonts-liberation); nothing is fetched from the internet.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string

FONT = "Times New Roman"
PREFIXES = (
    "Đảng bộ ",
    "Đảng ủy ",
    "Chi bộ ",
    "Tổ dân phố ",
    "thị trấn ",
    "thị xã ",
    "thành phố ",
    "xã ",
    "phường ",
    "tỉnh ",
    "huyện ",
    "đặc khu ",
)


def place_name(unit_name: str) -> str:
    """ "Đảng bộ xã Quảng Lâm" → "Quảng Lâm" (the place in "Quảng Lâm, ngày …")."""
    name = unit_name.strip()
    changed = True
    while changed:
        changed = False
        for p in PREFIXES:
            if name.lower().startswith(p.lower()):
                name = name[len(p) :]
                changed = True
    return name.split("(")[0].strip() or unit_name


def committee_name(unit_name: str, kind: str) -> str:
    """The issuing body: a đảng bộ issues as its đảng ủy ("Đảng bộ xã X" → "ĐẢNG ỦY XÃ X");
    a cell as itself."""
    name = unit_name.strip()
    if kind not in ("cell", "grassroots_cell", "party_group") and name.startswith("Đảng bộ"):
        name = "Đảng ủy" + name[len("Đảng bộ") :]
    return name.upper()


def date_line(place: str, d: dt.date) -> str:
    return f"{place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


@dataclass
class Signature:
    authority: str  # "T/M ĐẢNG ỦY"
    position: str  # "BÍ THƯ"
    name: str


@dataclass
class Doc:
    superior: str  # "ĐẢNG BỘ TỈNH ĐIỆN BIÊN" (may be empty for the top)
    issuer: str  # "ĐẢNG ỦY XÃ QUẢNG LÂM"
    number: str  # "Số 05-GGT/ĐU"
    place_date: str
    doc_type: str  # "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG"
    summary: str = ""  # "(chính thức)"
    salutation: str = ""  # "Kính gửi: …"
    body: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # label: value lines
    closing: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    stub: list[str] = field(default_factory=list)  # a tear-off part (letters)
    draft: bool = False  # HD 36 component 11b: "DỰ THẢO" above the type until issued
    # An annex on its own page after the signature: its title lines ("DANH SÁCH …", "(Kèm
    # theo Quyết định số …)") and a table (header, rows), e.g. a decision's list of names.
    annex_title: list[str] = field(default_factory=list)
    annex_header: list[str] = field(default_factory=list)
    annex_rows: list[list[str]] = field(default_factory=list)

    @property
    def paired(self) -> bool:
        """Minutes: two signatures side by side (THƯ KÝ left, CHỦ TRÌ right), no recipients."""
        return len(self.signatures) == 2 and not self.recipients


def to_docx(doc: Doc) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT  # noqa: F401  (portrait: the default)
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    d = Document()
    sec = d.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    style = d.styles["Normal"]
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.font.size = Pt(14)

    def para(cell_or_doc, text, *, size=14, bold=False, italic=False, align=None, under=False):
        p = cell_or_doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        run.font.size, run.bold, run.italic, run.underline = Pt(size), bold, italic, under
        return p

    center = WD_ALIGN_PARAGRAPH.CENTER
    table = d.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left._element.remove(left.paragraphs[0]._element)
    right._element.remove(right.paragraphs[0]._element)
    if doc.superior:
        para(left, doc.superior, align=center)
    para(left, doc.issuer, bold=True, align=center)
    para(left, "*", align=center)
    para(left, doc.number, align=center)
    para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", size=15, bold=True, align=center, under=True)
    para(right, "")
    para(right, doc.place_date, italic=True, align=center)
    para(d, "")
    if doc.draft:
        para(d, "DỰ THẢO", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(d, doc.doc_type, size=15, bold=True, align=center)
    if doc.summary:
        para(d, doc.summary, bold=True, align=center)
    para(d, "")
    if doc.salutation:
        para(d, doc.salutation, align=center)
    for text in doc.body:
        para(d, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for label, value in doc.facts:
        p = d.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        r1 = p.add_run(f"{label}: ")
        r1.font.size = Pt(14)
        r2 = p.add_run(value)
        r2.font.size, r2.bold = Pt(14), True
    for text in doc.closing:
        para(d, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para(d, "")
    foot = d.add_table(rows=1, cols=2)
    rec, sig = foot.rows[0].cells
    rec._element.remove(rec.paragraphs[0]._element)
    sig._element.remove(sig.paragraphs[0]._element)
    if doc.recipients:
        para(rec, "Nơi nhận:", size=12, bold=True, under=True)
        for r in doc.recipients:
            para(rec, f"- {r},", size=12)
    places = [rec, sig] if doc.paired else [sig] * len(doc.signatures)
    for cell, s in zip(places, doc.signatures, strict=True):
        if s.authority:
            para(cell, s.authority, bold=True, align=center)
        para(cell, s.position, bold=True, align=center)
        for _ in range(3):
            para(cell, "", align=center)
        para(cell, s.name, bold=True, align=center)
    if doc.stub:
        para(d, "")
        para(d, "- " * 30, size=10, align=center)
        for text in doc.stub:
            para(d, text, size=12)
    if doc.annex_title or doc.annex_rows:
        from docx.enum.text import WD_BREAK

        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for i, text in enumerate(doc.annex_title):
            para(d, text, size=14 if i == 0 else 13, bold=i == 0, italic=i > 0, align=center)
        para(d, "")
        grid = d.add_table(rows=1 + len(doc.annex_rows), cols=len(doc.annex_header))
        grid.style = "Table Grid"
        for j, h in enumerate(doc.annex_header):
            cell = grid.rows[0].cells[j]
            cell._element.remove(cell.paragraphs[0]._element)
            para(cell, h, size=12, bold=True, align=center)
        for i, row in enumerate(doc.annex_rows, start=1):
            for j, value in enumerate(row):
                cell = grid.rows[i].cells[j]
                cell._element.remove(cell.paragraphs[0]._element)
                para(cell, value, size=12)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def to_pdf(doc: Doc, template: str = "documents/party_document.html") -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {"doc": doc})
    return HTML(string=html).write_pdf()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()

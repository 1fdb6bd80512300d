"""Printed documents: route packs, delivery notes, cash receipts, statements (reportlab PDF).

Small reusable parts:

* :mod:`documents.fonts` registers the embedded CJK TrueType font once;
* :mod:`documents.money` formats integer fen (``¥1,234.50``, 壹仟贰佰叁拾肆元伍角);
* :mod:`documents.layout` holds page templates, styles, tables, QR codes and the
  bilingual labels;
* :mod:`documents.route_pack` builds a route's pack (cover, stop and loading
  lists, a delivery note in two copies per stop) from plain data
  (:mod:`documents.model`).
"""

"""Request and response schemas (pydantic v2): ``XCreate`` / ``XUpdate`` in, ``XPublic`` out.

Money is integer fen, weight kg, distance metres, times of day seconds since
midnight, as everywhere in the product. Every model carries an example.
"""

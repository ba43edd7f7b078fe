"""The pure domain of xborder: catalog loading, the transfer engine, documents, the scanner.

Nothing here imports Flask, SQLModel/SQLAlchemy, openai or weasyprint (a test enforces it).
"""

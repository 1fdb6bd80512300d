"""The service layer: one function per operation, one transaction per operation.

The CLI, the API and the web app call these; nothing here parses arguments or
speaks HTTP.
"""

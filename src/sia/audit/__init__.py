"""sia.audit"""

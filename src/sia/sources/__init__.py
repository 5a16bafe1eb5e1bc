"""sia.sources"""

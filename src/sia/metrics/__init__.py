"""sia.metrics"""

"""sia.supply"""

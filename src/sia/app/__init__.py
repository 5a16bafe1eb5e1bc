"""sia.app"""

"""Reusable widgets: translated labels and inputs, header, footer, navigation, form fields."""

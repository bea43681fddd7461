"""E-invoice formats: UBL 2.1 writer and reader, safe XML, XSD check, validator, PDF, CSV."""

"""The .xlsx machinery: rendering templates, the OOXML zip, sheet XML, Raw Data, VBA."""

"""Helpers the tests share (orders to check on paper, the Sheets emulator client, the xlwings
remote engine, print areas): tests import from here, never from each other."""

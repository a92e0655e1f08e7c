// Empty: CZlib only exposes zlib.h through its header.

import binascii
print(binascii.hexlify(b'hi'), binascii.crc32(b'abc'))

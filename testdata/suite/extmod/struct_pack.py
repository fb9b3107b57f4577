import struct
print(struct.pack('<HI', 1, 2), struct.calcsize('<HI'))

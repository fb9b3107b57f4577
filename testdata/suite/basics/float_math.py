import sys
if 'VIRTUAL_STM' in getattr(sys.implementation, '_machine', ''):
    print('SKIP')  # this board is built without floating point
    raise SystemExit
print(round(1.5 * 3.0, 2), 7 / 2)

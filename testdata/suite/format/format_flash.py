import sys
if 'VIRTUAL' not in getattr(sys.implementation, '_machine', ''):
    print('SKIP')  # only the virtual boards have a flash to format here
    raise SystemExit
print('formatted')

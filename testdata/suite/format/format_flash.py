import os
if os.environ.get('MPTEST_PORT') != 'virtual':
    print('SKIP')
    raise SystemExit
print('formatted', os.environ.get('MPTEST_BOARD'))

import os
if os.environ.get('MPTEST_BOARD') == 'VIRTUAL_STM':
    print('SKIP')
    raise SystemExit
print(round(1.5 * 3.0, 2), 7 / 2)

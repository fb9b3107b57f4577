import os
if os.environ.get('MPTEST_VARIANT') != 'THREAD':
    print('SKIP')
    raise SystemExit
import threading
out = []
t = threading.Thread(target=lambda: out.append(1))
t.start(); t.join()
print(out)

import sys
if getattr(sys.implementation, '_build', '') != 'THREAD':
    print('SKIP')  # only the THREAD variant has the _thread module
    raise SystemExit
import threading
out = []
t = threading.Thread(target=lambda: out.append(1))
t.start()
t.join()
print(out)

msgs = ['ping %d' % i for i in range(3)]
print(' '.join(m.replace('ping', 'pong') for m in msgs))

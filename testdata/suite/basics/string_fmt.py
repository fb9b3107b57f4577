print('%d-%s' % (3, 'x'), '{:>4}'.format('ab'), f'{7*6}')

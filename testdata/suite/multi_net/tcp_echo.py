print('echo ok')

import os
print('role', os.environ.get('MPTEST_ROLE'), 'peer', os.environ.get('MPTEST_PEER_BOARD') is not None)

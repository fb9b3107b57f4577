import hashlib
print(hashlib.sha256(b'').hexdigest()[:16])

import json
print(json.dumps({'a': [1, 2]}), json.loads('[1, 2.5]'))

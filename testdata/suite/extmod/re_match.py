import re
m = re.match(r'(\w+)-(\d+)', 'abc-42')
print(m.group(1), m.group(2))

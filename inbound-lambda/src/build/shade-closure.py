#!/usr/bin/env python3
"""Prints the maven-shade-plugin <filter>s of inbound-lambda/pom.xml that keep only the reachable
classes of a few big libraries (issue 6, jar size).

Usage, from the repository root, on a function.jar built WITHOUT those filters (delete the
<filters combine.children="append"> block of inbound-lambda/pom.xml first, or the closure only
sees what is already kept):

  ./mvnw -o -q -pl inbound-lambda package -DskipTests
  jdeps --multi-release 21 -verbose:class -filter:none inbound-lambda/target/function.jar > /tmp/deps.txt
  python3 inbound-lambda/src/build/shade-closure.py inbound-lambda/target/function.jar /tmp/deps.txt

The closure starts from io.pagureci.**, every META-INF/services file and the implementations it
names, and follows (a) jdeps' class-level dependences and (b) class names that appear as string
constants in a reached class (Class.forName / ClassLoader.loadClass of a literal name).
Only LIBRARIES below are filtered; every other library stays whole. e2e FunctionJarContentIT fails
when a class kept by these filters refers to one they dropped.
"""
import collections
import json
import re
import struct
import sys
import zipfile

LIBRARIES = [  # (artifact, package prefix)
    ('org.apache.commons:commons-compress', 'org.apache.commons.compress.'),
    ('commons-io:commons-io', 'org.apache.commons.io.'),
    ('org.apache.commons:commons-lang3', 'org.apache.commons.lang3.'),
    ('commons-codec:commons-codec', 'org.apache.commons.codec.'),
    ('com.googlecode.javaewah:JavaEWAH', 'com.googlecode.javaewah'),  # also javaewah32
]


def class_name(entry):
    m = re.match(r'META-INF/versions/\d+/(.*)', entry)
    return (m.group(1) if m else entry)[:-len('.class')].replace('/', '.')


def utf8_constants(data):
    """The CONSTANT_Utf8 entries of a class file's constant pool."""
    count = struct.unpack('>H', data[8:10])[0]
    p, i, out = 10, 1, []
    while i < count:
        tag = data[p]
        if tag == 1:
            n = struct.unpack('>H', data[p + 1:p + 3])[0]
            out.append(data[p + 3:p + 3 + n].decode('utf-8', 'replace'))
            p += 3 + n
        elif tag in (3, 4, 9, 10, 11, 12, 17, 18):
            p += 5
        elif tag in (5, 6):
            p += 9
            i += 1
        elif tag in (7, 8, 16, 19, 20):
            p += 3
        elif tag == 15:
            p += 4
        else:
            raise ValueError(f'constant pool tag {tag}')
        i += 1
    return out


def closure(jar, jdeps_output):
    z = zipfile.ZipFile(jar)
    entries = collections.defaultdict(list)
    for info in z.infolist():
        if info.filename.endswith('.class') and not info.filename.endswith('module-info.class'):
            entries[class_name(info.filename)].append(info)
    edges = collections.defaultdict(set)
    dep = re.compile(r'^\s+(?:\d+/)?(\S+)\s+->\s+(?:\d+/)?(\S+)\s')
    for line in open(jdeps_output):
        m = dep.match(line)
        if m and m.group(2) in entries:
            edges[m.group(1)].add(m.group(2))
    for name, infos in entries.items():
        for info in infos:
            for s in utf8_constants(z.read(info)):
                for candidate in (s, s.replace('/', '.')):
                    if candidate in entries and candidate != name:
                        edges[name].add(candidate)
    roots = {c for c in entries if c.startswith('io.pagureci.')}
    for info in z.infolist():
        if info.filename.startswith('META-INF/services/') and not info.filename.endswith('/'):
            roots.add(info.filename.rsplit('/', 1)[1])
            for line in z.read(info).decode().splitlines():
                roots.add(line.split('#')[0].strip())
    keep, stack = set(), [c for c in roots if c in entries]
    while stack:
        c = stack.pop()
        if c not in keep:
            keep.add(c)
            stack.extend(edges[c] - keep)
    return set(entries), keep


def filters(all_classes, keep, indent=' ' * 16):
    out = []
    for artifact, prefix in LIBRARIES:
        nested = collections.defaultdict(set)
        for c in all_classes:
            if c.startswith(prefix) and '$' in c:
                nested[c.split('$')[0]].add(c)
        patterns = []
        for outer in sorted({c.split('$')[0] for c in keep if c.startswith(prefix)}):
            path = outer.replace('.', '/')
            if outer in keep:
                patterns.append(f'{path}.class')
            if nested[outer] and nested[outer] <= keep:
                patterns.append(f'{path}$*.class')
            else:
                patterns += [f'{c.replace(".", "/")}.class' for c in sorted(nested[outer] & keep)]
        out += [f'{indent}<filter>', f'{indent}  <artifact>{artifact}</artifact>', f'{indent}  <includes>',
                f'{indent}    <include>META-INF/**</include>']
        out += [f'{indent}    <include>{p}</include>' for p in patterns]
        out += [f'{indent}  </includes>', f'{indent}</filter>']
    return '\n'.join(out)


if __name__ == '__main__':
    all_classes, keep = closure(sys.argv[1], sys.argv[2])
    print(filters(all_classes, keep))
    print(f'<!-- {len(keep)} of {len(all_classes)} classes reachable -->', file=sys.stderr)

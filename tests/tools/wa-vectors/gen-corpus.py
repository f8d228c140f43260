#!/usr/bin/env python3
"""Writes the seed corpora of the connd/wa fuzz targets from the committed
vector files (run from the repository root):
  tests/fuzz/corpus/wa_binnode/       frame plaintexts from binnode.json (< 4 KiB)
  tests/fuzz/corpus/wa_frame/         chunk-size byte + framed streams
  tests/fuzz/corpus/wa_noise_decrypt/ server->client transport frames of
                                      wa_handshake.json (they decrypt with its client_rx)
"""
import json, os

V = 'tests/unit/connd/wa/vectors'
C = 'tests/fuzz/corpus'


def write(d, name, data):
    os.makedirs(os.path.join(C, d), exist_ok=True)
    with open(os.path.join(C, d, name), 'wb') as f:
        f.write(data)


binnode = json.load(open(os.path.join(V, 'binnode.json')))
n = 0
for group in ('encode', 'decode', 'compressed'):
    for row in binnode[group]:
        if 'hex' in row and len(row['hex']) < 8192:
            write('wa_binnode', 'seed-%03d' % n, bytes.fromhex(row['hex']))
            n += 1

hs = json.load(open(os.path.join(V, 'wa_handshake.json')))
s2c = b''.join(bytes.fromhex(r['frame']) for r in hs['server_to_client'])
write('wa_noise_decrypt', 'server-frames', s2c)
write('wa_noise_decrypt', 'first-frame', bytes.fromhex(hs['server_to_client'][0]['frame']))
write('wa_noise_decrypt', 'forged', bytes.fromhex(hs['server_to_client'][0]['frame'])[:-1] + b'\0')

c2s = b''.join(bytes.fromhex(r['frame']) for r in hs['client_to_server'])
write('wa_frame', 'one-byte-chunks', b'\x00' + c2s)
write('wa_frame', 'whole', b'\xff' + c2s + bytes.fromhex(hs['client_finish_frame']))
write('wa_frame', 'empty-frames', b'\x02' + b'\x00\x00\x00' * 4)
write('wa_frame', 'too-big', b'\x10' + b'\xff\xff\xff')
print('wrote %d binnode seeds' % n)

#!/usr/bin/env python3
# image-mkapk.py DIR OUT VERSION - an unsigned apk v2 package "musl" of
# VERSION holding DIR/lib/ld-musl-ARCH.so.1 and its libc.musl-ARCH.so.1
# link: a stand-in for an upgrade of Alpine's musl package, to see what
# apk does to a swapped loader (install with apk --allow-untrusted).
# The format: a gzip'd tar of .PKGINFO without its end blocks, then the
# gzip'd data tar, whose sha256 .PKGINFO's datahash names; each file
# carries its SHA1 in a pax header, as apk expects.
import glob, gzip, hashlib, io, os, sys, tarfile

root, out, ver = sys.argv[1:4]
ldso = os.path.basename(glob.glob(root + '/lib/ld-musl-*.so.1')[0])
arch = ldso[len('ld-musl-'):-len('.so.1')]
link = 'libc.musl-%s.so.1' % arch


def add(tf, arc):
    ti = tf.gettarinfo(os.path.join(root, arc), arc)
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = 'root'
    if ti.isreg():
        data = open(os.path.join(root, arc), 'rb').read()
        ti.pax_headers = {'APK-TOOLS.checksum.SHA1': hashlib.sha1(data).hexdigest()}
        tf.addfile(ti, io.BytesIO(data))
    else:
        if ti.issym():
            ti.pax_headers = {'APK-TOOLS.checksum.SHA1': hashlib.sha1(ti.linkname.encode()).hexdigest()}
        tf.addfile(ti)


buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as tf:
    for arc in ('lib', 'lib/' + ldso, 'lib/' + link):
        add(tf, arc)
data = gzip.compress(buf.getvalue(), mtime=0)
info = ('pkgname = musl\npkgver = %s\npkgdesc = graft test: musl upgrade stand-in\n'
        'url = https://musl.libc.org/\nbuilddate = 0\nsize = %d\narch = %s\norigin = musl\n'
        'license = MIT\nprovides = so:%s=1\ndatahash = %s\n'
        % (ver, os.path.getsize(os.path.join(root, 'lib', ldso)), arch, link,
           hashlib.sha256(data).hexdigest())).encode()
ti = tarfile.TarInfo('.PKGINFO')
ti.size = len(info)
ti.mode = 0o644
ctl = ti.tobuf(format=tarfile.USTAR_FORMAT) + info + b'\0' * (-len(info) % 512)
with open(out, 'wb') as f:
    f.write(gzip.compress(ctl, mtime=0) + data)

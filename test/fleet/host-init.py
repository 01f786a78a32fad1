#!/usr/bin/python3 -IS
"""PID 1 of a fleet host, started by `unshare --mount --uts --ipc --pid --cgroup --fork` inside the
host's network namespace. Builds the host's root (an overlay over the machine's /), switches into it
and execs the host's init. Every value arrives as an argument; nothing here is generated.

    host-init.py HOST_DIR FLEET_LAYER HOSTNAME INIT(tini|systemd) PROC_SYS(ro|rw)

HOST_DIR holds identity/ (read-only layer), upper/, work/, root/ (mount point), containerd/.
Written as one process making the syscalls itself (ctypes) because every exec of mount(8) costs
5-100 ms on a busy machine, and a host needs twenty mounts: with a shell script, 20 hosts booted in
~9 s; this way in ~2 s.
"""
import ctypes
import os
import platform
import stat
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_SHARED = 32, 4096, 16384, 1 << 20
MNT_DETACH = 2
# glibc has no pivot_root() wrapper; the syscall number is per architecture.
SYS_PIVOT_ROOT = {'x86_64': 155, 'aarch64': 41}[platform.machine()]
# mount(8) spells these as options; the syscall takes them as flags.
FLAG_OPTIONS = {'rw': 0, 'ro': MS_RDONLY, 'nosuid': MS_NOSUID, 'nodev': MS_NODEV, 'noexec': MS_NOEXEC, 'relatime': 0}
# Kernel-wide settings a kubelet insists on setting (it writes them only when they differ). With
# /proc/sys read-only they would make it fail, and writing them would change the machine's kernel,
# so each host gets its own copy: a file bind-mounted over the entry, starting from the machine's value
# at every boot, as a VM's kernel would.
PRIVATE_SYSCTLS = ['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops',
                   'kernel/keys/root_maxkeys', 'kernel/keys/root_maxbytes']
# A minimal /dev: no disks. kmsg because kubelet's OOM watcher reads the kernel log (the machine's:
# there is one kernel). /dev must be a mount point, or systemd mounts the machine's devtmpfs there.
DEVICES = [('null', 1, 3, 0o666), ('zero', 1, 5, 0o666), ('full', 1, 7, 0o666), ('random', 1, 8, 0o666),
           ('urandom', 1, 9, 0o666), ('tty', 5, 0, 0o666), ('kmsg', 1, 11, 0o640)]
DEV_LINKS = [('ptmx', 'pts/ptmx'), ('fd', '/proc/self/fd'), ('stdin', '/proc/self/fd/0'),
             ('stdout', '/proc/self/fd/1'), ('stderr', '/proc/self/fd/2'), ('core', '/proc/kcore')]
CLEAN_ENV = {'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C.UTF-8'}
TRACE = bool(os.environ.get('SEALTS_FLEET_TRACE'))


def trace(what: str) -> None:
    if TRACE:
        print(f'+ {time.time():.6f} {what}', file=sys.stderr, flush=True)


def check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f'{what}: {os.strerror(err)}')


def mount(source: str, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    trace(f'mount {fstype} {target} {flags} {data}')
    check(libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                     data.encode() if data else None), f'mount {fstype or "bind"} {target}')


def bind_remount(target: str, flags: int) -> None:
    mount(target, target, None, MS_BIND)
    mount('none', target, None, MS_REMOUNT | MS_BIND | flags)


def machine_cgroups() -> list[tuple[str, str, str]]:
    """(mount point, fs type, controller options) of every cgroup hierarchy the machine has."""
    result = []
    with open('/proc/self/mounts') as f:
        for line in f:
            _, target, fstype, options, *_ = line.split(' ')
            if target.startswith('/sys/fs/cgroup/') and fstype in ('cgroup', 'cgroup2'):
                controllers = ','.join(o for o in options.split(',') if o not in FLAG_OPTIONS)
                result.append((target, fstype, controllers))
    return result


def build_root(host_dir: str, fleet_layer: str, proc_sys: str) -> str:
    root = f'{host_dir}/root'
    # The host's identity over the fleet layer over the machine's /, all read-only; a private upper
    # dir on the fleet tmpfs takes every write. unshare made every mount private already.
    mount('overlay', root, 'overlay', 0,
          f'lowerdir={host_dir}/identity:{fleet_layer}:/,upperdir={host_dir}/upper,workdir={host_dir}/work')
    mount('proc', f'{root}/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if proc_sys == 'ro':
        # Kernel-wide sysctls belong to the machine; only the host's own network stack is writable.
        bind_remount(f'{root}/proc/sys', MS_RDONLY)
        bind_remount(f'{root}/proc/sys/net', 0)
        private_sysctls(host_dir, root)
    mount('sysfs', f'{root}/sys', 'sysfs', MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

    # Fresh cgroup filesystems: inside the cgroup namespace their root is this host's own subtree.
    cgroup_root = f'{root}/sys/fs/cgroup'
    mount('tmpfs', cgroup_root, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, 'mode=755')
    for target, fstype, controllers in machine_cgroups():
        os.mkdir(f'{root}{target}')
        mount(fstype, f'{root}{target}', fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, controllers or None)
    mount('none', cgroup_root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

    build_dev(f'{root}/dev')
    mount('devpts', f'{root}/dev/pts', 'devpts', MS_NOSUID | MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=620,gid=5')
    mount('shm', f'{root}/dev/shm', 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=1777')
    mount('mqueue', f'{root}/dev/mqueue', 'mqueue', MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount('tmpfs', f'{root}/run', 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=755')
    mount('tmpfs', f'{root}/tmp', 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=1777')
    # containerd's snapshots cannot live on the overlay (overlay upper on overlay is refused).
    mount(f'{host_dir}/containerd', f'{root}/var/lib/containerd', None, MS_BIND)
    return root


def private_sysctls(host_dir: str, root: str) -> None:
    os.makedirs(f'{host_dir}/sysctl', exist_ok=True)
    for key in PRIVATE_SYSCTLS:
        copy = f'{host_dir}/sysctl/{key.replace("/", ".")}'
        with open(f'/proc/sys/{key}') as machine, open(copy, 'w') as own:
            own.write(machine.read())
        mount(copy, f'{root}/proc/sys/{key}', None, MS_BIND)


def build_dev(dev: str) -> None:
    mount('tmpfs', dev, 'tmpfs', MS_NOSUID, 'mode=755')
    old_umask = os.umask(0)
    for name, major, minor, mode in DEVICES:
        os.mknod(f'{dev}/{name}', stat.S_IFCHR | mode, os.makedev(major, minor))
    os.umask(old_umask)
    for name, target in DEV_LINKS:
        os.symlink(target, f'{dev}/{name}')
    for name in ('pts', 'shm', 'mqueue'):
        os.mkdir(f'{dev}/{name}')
    # The console is the host's log file (our stdout): systemd's boot messages land in
    # .fleet/<id>/logs/<host>.log, which fleetUp quotes when a boot fails.
    with open(f'{dev}/console', 'w'):
        pass
    # (by path: the open file belongs to the machine's mount namespace, which a bind mount refuses)
    log = os.readlink('/proc/self/fd/1')
    if log.startswith('/'):
        mount(log, f'{dev}/console', None, MS_BIND)


def switch_root(root: str) -> None:
    os.chdir(root)
    check(libc.syscall(SYS_PIVOT_ROOT, b'.', b'.'), 'pivot_root')
    check(libc.umount2(b'.', MNT_DETACH), 'umount old root')
    os.chdir('/')
    # Shared inside the host (as on a VM, and as kubelet's mount propagation expects); the peer
    # groups are new, so nothing propagates to the machine.
    mount('none', '/', None, MS_REC | MS_SHARED)


def start_init(init: str) -> None:
    if init == 'tini':
        os.mkdir('/run/sshd')
        # sshd runs as a daemon (not tini's child), so stopping it does not end the host.
        pid = os.posix_spawn('/usr/sbin/sshd', ['/usr/sbin/sshd', '-E', '/var/log/sshd.log'], CLEAN_ENV)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise OSError(f'sshd failed to start (wait status {status}); see /var/log/sshd.log in the host')
        trace('exec tini')
        os.execve('/usr/bin/tini', ['tini', '--', '/bin/sleep', 'infinity'], CLEAN_ENV)
    if init == 'systemd':
        trace('exec systemd')
        os.execve('/lib/systemd/systemd', ['/lib/systemd/systemd', '--system', '--unit=multi-user.target'],
                  {**CLEAN_ENV, 'container': 'sealts-fleet'})
    raise ValueError(f'unknown init {init!r}')


def main() -> None:
    host_dir, fleet_layer, hostname, init, proc_sys = sys.argv[1:6]
    trace('start')
    check(libc.sethostname(hostname.encode(), len(hostname.encode())), 'sethostname')
    switch_root(build_root(host_dir, fleet_layer, proc_sys))
    start_init(init)


if __name__ == '__main__':
    try:
        main()
    except Exception as e:  # one line in the host's log, which fleetUp quotes in its error
        print(f'host-init: {e}', file=sys.stderr)
        sys.exit(1)

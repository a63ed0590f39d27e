//! The syscall table: one line per syscall, `number name => handler :
//! argument count`, numbered as Linux riscv64 numbers them
//! (include/uapi/asm-generic/unistd.h). Anything not listed returns ENOSYS
//! and is logged once.

use super::{to_return, Context, FromArg};

macro_rules! call {
    ($c:ident, $a:ident, $h:path, 0) => {
        to_return($h($c))
    };
    ($c:ident, $a:ident, $h:path, 1) => {
        to_return($h($c, FromArg::from_arg($a[0])))
    };
    ($c:ident, $a:ident, $h:path, 2) => {
        to_return($h($c, FromArg::from_arg($a[0]), FromArg::from_arg($a[1])))
    };
    ($c:ident, $a:ident, $h:path, 3) => {
        to_return($h($c, FromArg::from_arg($a[0]), FromArg::from_arg($a[1]), FromArg::from_arg($a[2])))
    };
    ($c:ident, $a:ident, $h:path, 4) => {
        to_return($h(
            $c,
            FromArg::from_arg($a[0]),
            FromArg::from_arg($a[1]),
            FromArg::from_arg($a[2]),
            FromArg::from_arg($a[3]),
        ))
    };
    ($c:ident, $a:ident, $h:path, 5) => {
        to_return($h(
            $c,
            FromArg::from_arg($a[0]),
            FromArg::from_arg($a[1]),
            FromArg::from_arg($a[2]),
            FromArg::from_arg($a[3]),
            FromArg::from_arg($a[4]),
        ))
    };
    ($c:ident, $a:ident, $h:path, 6) => {
        to_return($h(
            $c,
            FromArg::from_arg($a[0]),
            FromArg::from_arg($a[1]),
            FromArg::from_arg($a[2]),
            FromArg::from_arg($a[3]),
            FromArg::from_arg($a[4]),
            FromArg::from_arg($a[5]),
        ))
    };
}

macro_rules! syscall_table {
    ($($number:literal $name:ident => $handler:path : $arity:tt,)*) => {
        /// Calls the handler of `number`.
        pub fn dispatch(context: &mut Context, number: usize, args: [usize; 6]) -> isize {
            match number {
                $($number => call!(context, args, $handler, $arity),)*
                _ => super::unimplemented(number),
            }
        }

        /// Names of the implemented syscalls (docs/syscalls.md).
        #[allow(dead_code)]
        pub const IMPLEMENTED: &[(usize, &str)] = &[$(($number, stringify!($name))),*];
    };
}

use super::system;
use crate::fs::epoll_syscalls as epoll;
use crate::fs::eventfd;
use crate::fs::poll as fs_poll;
use crate::fs::statfs as fs_statfs;
use crate::fs::syscalls as fs;
use crate::fs::timerfd;
use crate::net::message_syscalls as net_message;
use crate::net::syscalls as net;
use crate::process::credentials;
use crate::process::futex;
use crate::process::syscalls as process;
use crate::time::itimer;
use crate::time::posix_timer;

syscall_table! {
    17 getcwd => fs::getcwd : 2,
    19 eventfd2 => eventfd::eventfd2 : 2,
    20 epoll_create1 => epoll::epoll_create1 : 1,
    21 epoll_ctl => epoll::epoll_ctl : 4,
    22 epoll_pwait => epoll::epoll_pwait : 6,
    23 dup => fs::dup : 1,
    24 dup3 => fs::dup3 : 3,
    25 fcntl => fs::fcntl : 3,
    29 ioctl => fs::ioctl : 3,
    33 mknodat => fs::mknodat : 4,
    34 mkdirat => fs::mkdirat : 3,
    35 unlinkat => fs::unlinkat : 3,
    36 symlinkat => fs::symlinkat : 3,
    37 linkat => fs::linkat : 5,
    39 umount2 => fs::umount2 : 2,
    40 mount => fs::mount : 5,
    43 statfs => fs_statfs::statfs : 2,
    44 fstatfs => fs_statfs::fstatfs : 2,
    45 truncate => fs::truncate : 2,
    46 ftruncate => fs::ftruncate : 2,
    48 faccessat => fs::faccessat : 3,
    49 chdir => fs::chdir : 1,
    50 fchdir => fs::fchdir : 1,
    52 fchmod => fs::fchmod : 2,
    53 fchmodat => fs::fchmodat : 3,
    54 fchownat => fs::fchownat : 5,
    55 fchown => fs::fchown : 3,
    56 openat => fs::openat : 4,
    57 close => fs::close : 1,
    59 pipe2 => fs::pipe2 : 2,
    61 getdents64 => fs::getdents64 : 3,
    62 lseek => fs::lseek : 3,
    63 read => fs::read : 3,
    64 write => fs::write : 3,
    65 readv => fs::readv : 3,
    66 writev => fs::writev : 3,
    67 pread64 => fs::pread64 : 4,
    68 pwrite64 => fs::pwrite64 : 4,
    71 sendfile => fs::sendfile : 4,
    72 pselect6 => fs_poll::pselect6 : 6,
    73 ppoll => fs_poll::ppoll : 5,
    78 readlinkat => fs::readlinkat : 4,
    79 newfstatat => fs::newfstatat : 4,
    80 fstat => fs::fstat : 2,
    81 sync => fs::sync : 0,
    82 fsync => fs::fsync : 1,
    83 fdatasync => fs::fsync : 1,
    85 timerfd_create => timerfd::timerfd_create : 2,
    86 timerfd_settime => timerfd::timerfd_settime : 4,
    87 timerfd_gettime => timerfd::timerfd_gettime : 2,
    88 utimensat => fs::utimensat : 4,
    93 exit => process::exit : 1,
    94 exit_group => process::exit_group : 1,
    95 waitid => process::waitid : 5,
    96 set_tid_address => process::set_tid_address : 1,
    98 futex => futex::futex : 6,
    99 set_robust_list => futex::set_robust_list : 2,
    100 get_robust_list => futex::get_robust_list : 3,
    102 getitimer => itimer::getitimer : 2,
    103 setitimer => itimer::setitimer : 3,
    101 nanosleep => system::nanosleep : 2,
    107 timer_create => posix_timer::timer_create : 3,
    108 timer_gettime => posix_timer::timer_gettime : 2,
    109 timer_getoverrun => posix_timer::timer_getoverrun : 1,
    110 timer_settime => posix_timer::timer_settime : 4,
    111 timer_delete => posix_timer::timer_delete : 1,
    113 clock_gettime => system::clock_gettime : 2,
    114 clock_getres => system::clock_getres : 2,
    115 clock_nanosleep => system::clock_nanosleep : 4,
    122 sched_setaffinity => system::sched_setaffinity : 3,
    123 sched_getaffinity => system::sched_getaffinity : 3,
    124 sched_yield => system::sched_yield : 0,
    128 restart_syscall => system::restart_syscall : 0,
    129 kill => system::kill : 2,
    130 tkill => system::tkill : 2,
    131 tgkill => system::tgkill : 3,
    132 sigaltstack => system::sigaltstack : 2,
    133 rt_sigsuspend => system::rt_sigsuspend : 2,
    134 rt_sigaction => system::rt_sigaction : 4,
    135 rt_sigprocmask => system::rt_sigprocmask : 4,
    136 rt_sigpending => system::rt_sigpending : 2,
    137 rt_sigtimedwait => system::rt_sigtimedwait : 4,
    139 rt_sigreturn => system::rt_sigreturn : 0,
    142 reboot => system::reboot : 4,
    144 setgid => credentials::setgid : 1,
    146 setuid => credentials::setuid : 1,
    148 getresuid => credentials::getresuid : 3,
    150 getresgid => credentials::getresgid : 3,
    153 times => system::times : 1,
    154 setpgid => process::setpgid : 2,
    155 getpgid => process::getpgid : 1,
    156 getsid => process::getsid : 1,
    157 setsid => process::setsid : 0,
    158 getgroups => credentials::getgroups : 2,
    159 setgroups => credentials::setgroups : 2,
    160 uname => system::uname : 1,
    161 sethostname => system::sethostname : 2,
    163 getrlimit => system::getrlimit : 2,
    164 setrlimit => system::setrlimit : 2,
    165 getrusage => system::getrusage : 2,
    166 umask => fs::umask : 1,
    167 prctl => system::prctl : 5,
    168 getcpu => system::getcpu : 3,
    169 gettimeofday => system::gettimeofday : 2,
    172 getpid => process::getpid : 0,
    173 getppid => process::getppid : 0,
    174 getuid => credentials::getuid : 0,
    175 geteuid => credentials::geteuid : 0,
    176 getgid => credentials::getgid : 0,
    177 getegid => credentials::getegid : 0,
    178 gettid => process::gettid : 0,
    179 sysinfo => system::sysinfo : 1,
    198 socket => net::socket : 3,
    199 socketpair => net::socketpair : 4,
    200 bind => net::bind : 3,
    201 listen => net::listen : 2,
    202 accept => net::accept : 3,
    203 connect => net::connect : 3,
    204 getsockname => net::getsockname : 3,
    205 getpeername => net::getpeername : 3,
    206 sendto => net::sendto : 6,
    207 recvfrom => net::recvfrom : 6,
    208 setsockopt => net::setsockopt : 5,
    209 getsockopt => net::getsockopt : 5,
    210 shutdown => net::shutdown : 2,
    211 sendmsg => net_message::sendmsg : 3,
    212 recvmsg => net_message::recvmsg : 3,
    214 brk => process::brk : 1,
    215 munmap => process::munmap : 2,
    216 mremap => process::mremap : 5,
    220 clone => process::clone : 5,
    221 execve => process::execve : 3,
    222 mmap => process::mmap : 6,
    226 mprotect => process::mprotect : 3,
    227 msync => process::msync : 3,
    233 madvise => process::madvise : 3,
    242 accept4 => net::accept4 : 4,
    260 wait4 => process::wait4 : 4,
    261 prlimit64 => system::prlimit64 : 4,
    276 renameat2 => fs::renameat2 : 5,
    278 getrandom => system::getrandom : 3,
    291 statx => fs::statx : 5,
    435 clone3 => process::clone3 : 2,
    439 faccessat2 => fs::faccessat2 : 4,
    441 epoll_pwait2 => epoll::epoll_pwait2 : 6,
}

#!/usr/bin/env bash
# A real Slurm 22.05 cluster on this one machine, for tests: one controller (slurmctld, host
# name "mpctl") and three hosts h1, h2, h3 (one slurmd each), every one in its own network
# namespace, joined by a bridge that lives inside the controller's namespace. Nothing is added
# to the root network namespace (no link, no address, no route): only /run/netns/<name> entries,
# removed by `down`. All state, logs, keys, sockets and spool live under DIR.
#
# Usage (see tests/slurm/README.md):
#   cluster.sh up DIR NODES_CONF GRES_CONF   start; DIR must exist and be empty (or absent)
#   cluster.sh down DIR                      stop everything `up` started; idempotent
#   cluster.sh kill-host DIR hN              SIGKILL hN's slurmd and every process on hN
#   cluster.sh client DIR CMD [ARGS...]      run CMD (srun, sinfo, mptest...) where it can
#                                            reach the controller: the controller's net ns
#
# Clients: the controller's address exists only inside the namespaces, so a Slurm client must
# run inside the controller's network namespace: `cluster.sh client DIR srun ...`, or run the
# whole program (mptest) that way and let it call srun/sinfo/scancel plainly. DIR/env.sh has
# SLURM_CONF and the prefix (MPT_SLURM_CLIENT) doing the same thing.
#
# Requires root, iproute2, util-linux (nsenter, unshare, setsid), munge, slurmctld, slurmd,
# slurm-client. Read /work/shared/reference/slurm.md for why the settings are what they are.
set -euo pipefail

PROG="$(basename "$0")"
readonly PROG
readonly HOSTS=(h1 h2 h3)
readonly CTL_HOST=mpctl
# Exists while a /run/netns mount point made by some cluster.sh `up` may still be there.
readonly NETNS_MARKER=/run/mpt-cluster-made-run-netns

die() { echo "$PROG: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

# ---------------------------------------------------------------------------------------------
# Global timeout. `up`, `down` and `kill-host` re-run themselves under timeout(1): on expiry the
# script gets SIGTERM (its trap turns a timed-out `up` into a `down`), and SIGKILL 15 s later.
# `client` has no limit: it runs whatever the caller runs, for as long as the caller wants.
# Override with MPT_CLUSTER_TIMEOUT (seconds).
# ---------------------------------------------------------------------------------------------
cmd="${1:-}"
case "$cmd" in
  up) limit=150 ;;
  down) limit=60 ;;
  kill-host) limit=30 ;;
  *) limit=0 ;;
esac
if [[ $limit -gt 0 && -z "${_MPT_CLUSTER_TIMED:-}" ]]; then
  export _MPT_CLUSTER_TIMED=1
  exec timeout -k 15 "${MPT_CLUSTER_TIMEOUT:-$limit}" "$0" "$@"
fi

# ---------------------------------------------------------------------------------------------
# Records in DIR (written by `up` BEFORE it creates the thing, so `down` after any partial `up`
# finds everything):
#   DIR/cluster.vars   shell variables: PREFIX (name prefix), NET (10.213.NET.0/24)
#   DIR/netns          one namespace name per line
#   DIR/pids           "<name> <pid> <starttime>" per daemon; starttime (field 22 of
#                      /proc/PID/stat) guards against signalling a recycled pid
# ---------------------------------------------------------------------------------------------

load_vars() {  # DIR -> PREFIX NET CTL_NS (or returns 1 when there is no cluster record)
  local dir="$1"
  [[ -f "$dir/cluster.vars" ]] || return 1
  # shellcheck disable=SC1091
  source "$dir/cluster.vars"
  CTL_NS="${PREFIX}-c"
}

ns_of() { echo "${PREFIX}-$1"; }  # host name -> namespace name

starttime() {  # PID -> its start time in clock ticks, or nothing when it is gone or a
  # zombie (PID 1 here reaps orphans only now and then: a dead daemon may linger as a zombie)
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  stat="${stat##*) }"  # the command name may hold spaces; fields after it are plain
  # after "pid (comm) ", field 3 (state) is word 1, so field 22 (starttime) is word 20
  awk '$1 != "Z" {print $20}' <<<"$stat"
}

same_process() {  # PID STARTTIME -> true when PID still is the process recorded (alive)
  [[ -n "$1" && -n "$2" && "$(starttime "$1")" == "$2" ]]
}

in_proc() {  # PID STARTTIME -> true while /proc still has it, even as a zombie
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "$(awk '{print $20}' <<<"$stat")" == "$2" ]]
}

GONE=()  # "pid starttime" of every process down/kill-host signalled, to wait for its reaping

record_pid() {  # DIR NAME PID
  local st
  st="$(starttime "$3")"
  [[ -n "$st" ]] || { log "$2 (pid $3) exited at once; see $1/log/"; return 1; }
  echo "$2 $3 $st" >>"$1/pids"
}

recorded_pid() {  # DIR NAME -> "PID STARTTIME" of that daemon, or nothing
  [[ -f "$1/pids" ]] || return 0
  awk -v n="$2" '$1 == n {print $2, $3}' "$1/pids" | tail -n 1
}

ancestors() {  # this script's pid and its ancestors: never signalled (a caller running
  # `cluster.sh down` from inside the controller namespace must not kill itself)
  local p=$$
  while [[ -n "$p" && "$p" != 0 ]]; do
    echo "$p"
    p="$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)"
  done
}

sweep_ns() {  # NS -> SIGKILL every process in that network namespace, until none is left
  # (bounded: 50 rounds of 0.1 s). These are our daemons, slurmstepds, job tasks, clients.
  local ns="$1" keep pids p i
  [[ -e "/run/netns/$ns" ]] || return 0
  keep=" $(ancestors | tr '\n' ' ') "
  for i in $(seq 50); do
    pids=""
    for p in $(ip netns pids "$ns" 2>/dev/null || true); do
      [[ "$keep" == *" $p "* ]] || pids+=" $p"
    done
    [[ -n "$pids" ]] || return 0
    for p in $pids; do GONE+=("$p $(starttime "$p")"); done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  log "processes still in $ns after SIGKILL:$pids"
}

# The daemons are orphans (their parent is PID 1, which on this machine reaps only every few
# seconds): wait, 10 s at most, until every process we killed has left /proc, so that `ps`
# right after `down` shows no zombie of ours.
wait_reaped() {
  local i e left
  for i in $(seq 100); do
    left=0
    for e in "${GONE[@]}"; do
      # shellcheck disable=SC2086
      if in_proc $e; then left=$((left + 1)); fi
    done
    [[ $left -gt 0 ]] || return 0
    sleep 0.1
  done
  log "$left killed process(es) not yet reaped by their parent (zombies)"
}

# ---------------------------------------------------------------------------------------------
# down DIR: TERM the recorded daemons (slurmctld saves its state, slurmd ends cleanly), give
# them 5 s, then SIGKILL everything left in our namespaces (slurmstepds, job tasks, srun
# clients), then delete the namespaces (which deletes the bridge and veths with them).
# ---------------------------------------------------------------------------------------------
do_down() {
  local dir="$1" name pid st ns i alive
  load_vars "$dir" || { log "no cluster recorded in $dir; nothing to do"; return 0; }
  if [[ -f "$dir/pids" ]]; then
    while read -r name pid st; do
      [[ "$name" == munged ]] && continue  # last: slurmctld/slurmd talk to it while stopping
      if same_process "$pid" "$st"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done <"$dir/pids"
    for i in $(seq 50); do
      alive=0
      while read -r name pid st; do
        [[ "$name" == munged ]] && continue
        if same_process "$pid" "$st"; then alive=1; fi
      done <"$dir/pids"
      [[ $alive == 1 ]] || break
      sleep 0.1
    done
    while read -r name pid st; do  # the ones ignoring TERM, and munged
      if same_process "$pid" "$st"; then kill -KILL "$pid" 2>/dev/null || true; fi
      GONE+=("$pid $st")
    done <"$dir/pids"
  fi
  if [[ -f "$dir/netns" ]]; then
    while read -r ns; do
      [[ -n "$ns" ]] || continue
      sweep_ns "$ns"
      if [[ -e "/run/netns/$ns" ]]; then
        ip netns del "$ns" || log "could not delete namespace $ns"
      fi
    done <"$dir/netns"
  fi
  # The first `ip netns add` on a machine makes /run/netns a (shared bind) mount point and
  # leaves it. If one of our `up`s did that (its own record, or the machine-wide marker for
  # when another cluster's `up` did and that cluster is already down) and no namespace is left
  # there, undo it. umount refuses while any namespace is mounted under it, and rmdir while
  # the directory holds one, so a cluster starting meanwhile is not harmed.
  if [[ -f "$dir/netns-mount-ours" || -f "$NETNS_MARKER" ]] &&
    [[ -z "$(ls -A /run/netns 2>/dev/null)" ]]; then
    if mountpoint -q /run/netns; then umount /run/netns 2>/dev/null || true; fi
    rmdir /run/netns 2>/dev/null || true
    if ! mountpoint -q /run/netns; then rm -f "$NETNS_MARKER"; fi
  fi
  wait_reaped
  return 0
}

# ---------------------------------------------------------------------------------------------
# kill-host DIR hN: the host "dies": its slurmd by recorded pid, then every other process in
# its namespace (slurmstepd of each step, the job's tasks). Its network stays up, so the
# controller's connections to it are refused at once rather than timing out.
# ---------------------------------------------------------------------------------------------
do_kill_host() {
  local dir="$1" host="$2" rec
  load_vars "$dir" || die "no cluster in $dir"
  [[ " ${HOSTS[*]} " == *" $host "* ]] || die "unknown host '$host' (hosts: ${HOSTS[*]})"
  rec="$(recorded_pid "$dir" "slurmd-$host")"
  # shellcheck disable=SC2086
  if [[ -n "$rec" ]] && same_process $rec; then
    kill -KILL "${rec%% *}"
    GONE+=("$rec")
  else
    log "slurmd of $host was not running"
  fi
  sweep_ns "$(ns_of "$host")"
  wait_reaped
}

# ---------------------------------------------------------------------------------------------
# up
# ---------------------------------------------------------------------------------------------

# start_daemon DIR NAME NS UTSNAME CMD...: runs CMD in namespace NS with its own UTS namespace
# named UTSNAME, in a new session (so signals for the caller's process group, e.g. a ^C or
# timeout(1), do not reach it), stdin /dev/null, output to DIR/log/NAME.out (never to our
# stdout: a caller reading `up`'s output through a pipe would wait for the daemons' end).
# setsid, nsenter, unshare (without --fork) and sh all exec, so $! is the daemon's own pid.
start_daemon() {
  local dir="$1" name="$2" ns="$3" uts="$4"
  shift 4
  (
    # shellcheck disable=SC2016  # "$0" and "$@" are sh's
    exec setsid nsenter --net="/run/netns/$ns" unshare --uts \
      sh -c 'hostname "$0" && exec "$@"' "$uts" "$@" \
      </dev/null >"$dir/log/$name.out" 2>&1
  ) &
  local pid=$!
  disown "$pid"  # no "Killed" job report from this shell when `down` kills it
  sleep 0.05
  record_pid "$dir" "$name" "$pid"
}

# The NodeName lines get NodeAddr= (the host's address on the bridge) unless they have one:
# there is no name service for h1..h3. A line may name one host or a hostlist (h[1-3], h1,h2).
add_node_addrs() {  # NODES_CONF NET -> stdout
  local line name names addrs h
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" =~ ^[[:space:]]*NodeName=([^[:space:]]+) ]] && [[ "$line" != *NodeAddr=* ]]; then
      name="${BASH_REMATCH[1]}"
      if [[ "$name" != DEFAULT ]]; then
        names="$(scontrol show hostnames "$name" 2>/dev/null || echo "$name")"
        addrs=""
        for h in $names; do
          [[ "$h" =~ ^h([1-3])$ ]] || die "NODES_CONF names host '$h'; the hosts are ${HOSTS[*]}"
          addrs+="${addrs:+,}10.213.$2.$((10 + BASH_REMATCH[1]))"
        done
        line+=" NodeAddr=$addrs"
      fi
    fi
    printf '%s\n' "$line"
  done <"$1"
}

write_slurm_conf() {  # DIR NODES_CONF
  local dir="$1"
  cat >"$dir/slurm.conf" <<EOF
# Written by tests/slurm/cluster.sh for a test cluster in network namespaces (prefix $PREFIX).
ClusterName=mptest
# The controller's UTS host name is $CTL_HOST: slurmctld refuses to start unless its
# hostname is SlurmctldHost. The address in parentheses is its bridge address.
SlurmctldHost=$CTL_HOST(10.213.$NET.1)
SlurmUser=root
SlurmdUser=root
# munge on a private socket (its own key under DIR), not the machine's munged.
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
# No slurmdbd: nothing here needs accounting.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# No systemd as PID 1 and no usable cgroup tree: track a job's processes by process group,
# bind nothing, gather no accounting (the cgroup plugins refuse to start here).
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none
# Boards, not CPUs, are the scarce resource: nodes may claim more CPUs than the machine has
# (so several jobs share a host, one per board), and jobs take CPUs, not whole nodes.
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Start jobs at once (batch_sched_delay default 3 s) and run the backfill pass every second
# (default 30 s: a job for an idle board waited behind one waiting for a busy board).
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,bf_interval=1,bf_continue
# Never requeue: a requeued job ran twice at once under a network partition (two campaigns
# driving one board). mptest retries itself.
JobRequeue=0
# scancel / time limit: SIGTERM, then SIGKILL this many seconds later.
KillWait=5
# A host whose slurmd stops answering is DOWN, and its jobs NODE_FAIL, after two failed pings,
# each taking about MessageTimeout+1 s even when the connection is refused at once (the RPC
# agent retries the connect): measured 27 s with MessageTimeout=10 (default), 17 s with 5 (3
# gave no gain: SlurmdTimeout bounds it then). A DOWN host that registers again (slurmd
# restarted) returns to service by itself.
SlurmdTimeout=10
MessageTimeout=5
ReturnToService=2
# Finished jobs leave squeue/scontrol after this many seconds (default 300).
MinJobAge=10
InactiveLimit=0
MailProg=/bin/true
# All files under DIR; per-node ones by node name (%n), the hosts share this filesystem.
StateSaveLocation=$dir/ctl/state
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmdLogFile=$dir/log/slurmd-%n.log
SlurmdSpoolDir=$dir/spool/%n
SlurmctldDebug=info
SlurmdDebug=info

# ---- from NODES_CONF (NodeAddr= added) ----
EOF
  add_node_addrs "$2" "$NET" >>"$dir/slurm.conf"
}

# Every File= of gres.conf must exist before slurmd starts (else it refuses the node):
# create the missing ones as empty regular files. Hostlist-style File=...[0-3] are left alone.
make_gres_files() {  # GRES_CONF
  local f
  # shellcheck disable=SC2013  # File= values hold no spaces
  for f in $(grep -o 'File=[^[:space:]]*' "$1" | cut -d= -f2-); do
    [[ "$f" == *'['* ]] && continue
    if [[ ! -e "$f" && ! -L "$f" ]]; then
      mkdir -p "$(dirname "$f")"
      : >"$f"
    fi
  done
}

print_tails() {  # DIR: the daemons' logs, for a failed `up`
  local dir="$1" f
  for f in "$dir"/log/*; do
    [[ -s "$f" ]] || continue
    echo "----- tail of $f -----" >&2
    tail -n 25 "$f" >&2
  done
}

client_env() {  # runs "$@" inside the controller's network namespace with SLURM_CONF set
  SLURM_CONF="$1/slurm.conf" nsenter --net="/run/netns/$CTL_NS" "${@:2}"
}

do_up() {
  local dir="$1" nodes_conf="$2" gres_conf="$3" t0 h ns i states
  t0=$(date +%s.%N)
  [[ -r "$nodes_conf" ]] || die "no NODES_CONF file $nodes_conf"
  [[ -r "$gres_conf" ]] || die "no GRES_CONF file $gres_conf"
  [[ $EUID == 0 ]] || die "must run as root (namespaces, daemons)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  [[ -z "$(ls -A "$dir")" ]] || die "$dir is not empty (a fresh work directory is needed)"
  # Copies first (the arguments may be pipes, e.g. bash's <(...)).
  cat "$nodes_conf" >"$dir/nodes.conf.in"
  cat "$gres_conf" >"$dir/gres.conf"

  # Names: mpt + 6 random hex digits; net 10.213.NET.0/24 (only inside our namespaces, so a
  # clash with another cluster's NET would not matter; random anyway).
  PREFIX="mpt$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
  NET=$(( $(od -An -N1 -tu1 /dev/urandom) % 250 + 1 ))
  CTL_NS="${PREFIX}-c"
  printf 'PREFIX=%s\nNET=%s\n' "$PREFIX" "$NET" >"$dir/cluster.vars"

  # From here on, any failure or timeout tears down what exists.
  UP_DIR="$dir"
  # shellcheck disable=SC2154  # rc is the trap's own
  trap 'rc=$?; trap - EXIT; if [[ $rc != 0 ]]; then log "up failed (exit $rc)"; print_tails "$UP_DIR"; do_down "$UP_DIR"; fi; exit $rc' EXIT
  trap 'log "timed out"; exit 124' TERM INT

  mkdir -p "$dir"/{log,run,ctl/state,munge} "${HOSTS[@]/#/$dir/spool/}"
  chmod 0755 "$dir/munge"  # munged wants the socket's directory searchable by all

  # --- network: bridge br0 in the controller namespace, one veth per host ---
  if ! mountpoint -q /run/netns; then : >"$dir/netns-mount-ours"; : >"$NETNS_MARKER"; fi
  echo "$CTL_NS" >>"$dir/netns"
  ip netns add "$CTL_NS"
  ip -n "$CTL_NS" link set lo up
  ip -n "$CTL_NS" link add br0 type bridge
  ip -n "$CTL_NS" addr add "10.213.$NET.1/24" dev br0
  ip -n "$CTL_NS" link set br0 up
  for i in 1 2 3; do
    h="h$i"
    ns="$(ns_of "$h")"
    echo "$ns" >>"$dir/netns"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # veth created inside the namespaces: its names need to be unique there only
    ip -n "$CTL_NS" link add "v$h" type veth peer name eth0 netns "$ns"
    ip -n "$CTL_NS" link set "v$h" master br0 up
    ip -n "$ns" addr add "10.213.$NET.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
  done

  # --- configuration ---
  write_slurm_conf "$dir" "$dir/nodes.conf.in"
  make_gres_files "$dir/gres.conf"
  cat >"$dir/env.sh" <<EOF
# Written by cluster.sh up. Slurm clients must run in the controller's network namespace:
#   \$MPT_SLURM_CLIENT srun ...     (or: $(realpath "$0") client $dir srun ...)
export SLURM_CONF=$dir/slurm.conf
export MPT_CLUSTER_DIR=$dir
export MPT_CLUSTER_NETNS=$CTL_NS
export MPT_SLURM_CLIENT="nsenter --net=/run/netns/$CTL_NS"
EOF

  # --- munge: private key and socket; runs in the controller namespace (the socket is a file,
  # so every namespace reaches it). --origin: munged cannot resolve its host name (mpctl), and
  # without it every credential says 0.0.0.0 and slurmctld logs "auth_p_get_host: Lookup
  # failed for 0.0.0.0" for each RPC. ---
  mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$dir/munge/munge.key"
  start_daemon "$dir" munged "$CTL_NS" "$CTL_HOST" \
    munged -F -f --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" --origin="10.213.$NET.1"
  for i in $(seq 100); do [[ -S "$dir/munge/munge.socket" ]] && break; sleep 0.05; done
  [[ -S "$dir/munge/munge.socket" ]] || die "munged made no socket"

  # --- slurmctld (fresh state: -c) and one slurmd per host ---
  start_daemon "$dir" slurmctld "$CTL_NS" "$CTL_HOST" \
    slurmctld -D -c -f "$dir/slurm.conf"
  for h in "${HOSTS[@]}"; do
    start_daemon "$dir" "slurmd-$h" "$(ns_of "$h")" "$h" \
      slurmd -D -N "$h" -f "$dir/slurm.conf"
  done

  # --- wait (60 s at most) until sinfo shows every host idle ---
  for i in $(seq 240); do
    states="$(client_env "$dir" timeout 5 sinfo -h -N -o '%N %t' 2>/dev/null | sort -u || true)"
    if [[ "$(grep -c ' idle$' <<<"$states" || true)" == "${#HOSTS[@]}" ]]; then
      break
    fi
    for h in munged slurmctld "${HOSTS[@]/#/slurmd-}"; do
      # shellcheck disable=SC2046
      same_process $(recorded_pid "$dir" "$h") || die "$h exited during start"
    done
    sleep 0.25
  done
  [[ "$(grep -c ' idle$' <<<"$states" || true)" == "${#HOSTS[@]}" ]] ||
    die "hosts not idle after 60 s: $(tr '\n' ';' <<<"$states")"

  trap - EXIT TERM INT
  printf '%s: up in %.1f s: %s (namespaces %s-{c,h1,h2,h3}, net 10.213.%s.0/24)\n' \
    "$PROG" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')" "$dir" "$PREFIX" "$NET"
}

case "$cmd" in
  up)
    [[ $# == 4 ]] || die "usage: $PROG up DIR NODES_CONF GRES_CONF"
    do_up "$2" "$3" "$4"
    ;;
  down)
    [[ $# == 2 ]] || die "usage: $PROG down DIR"
    trap 'log "down timed out"; exit 124' TERM INT
    do_down "$2"
    ;;
  kill-host)
    [[ $# == 3 ]] || die "usage: $PROG kill-host DIR hN"
    do_kill_host "$2" "$3"
    ;;
  client)
    [[ $# -ge 3 ]] || die "usage: $PROG client DIR CMD [ARGS...]"
    load_vars "$2" || die "no cluster in $2"
    [[ -e "/run/netns/$CTL_NS" ]] || die "cluster in $2 is down"
    dir="$(cd "$2" && pwd)"
    shift 2
    SLURM_CONF="$dir/slurm.conf" exec nsenter --net="/run/netns/$CTL_NS" "$@"
    ;;
  *)
    die "usage: $PROG up DIR NODES_CONF GRES_CONF | down DIR | kill-host DIR hN | client DIR CMD..."
    ;;
esac

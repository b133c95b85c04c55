"""The agents the side-by-side bench runs: how each is configured and started for a scenario.
Every agent gets the same corpus on the same loopback port type and writes hourly-partitioned
files under its own output directory; the harness measures the process and checks the output."""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def sluice_bin():
    return os.environ.get("SLUICE_BIN", os.path.join(ROOT, "build", "sluice"))


def syslog_ng_env():
    """Unpacks syslog-ng (once) via tests/peers/syslog-ng-env.sh and returns (binary, env)."""
    out = subprocess.run(["bash", "-c", ". %s/tests/peers/syslog-ng-env.sh && env -0" % ROOT],
                         check=True, capture_output=True).stdout
    env = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    return env["SYSLOGNG"], env


# --plain: every agent writes uncompressed files (sluice DataStream, rsyslog omfile without zipLevel),
# so all three do the same job as syslog-ng, whose file() destination cannot compress.
PLAIN = False


class Agent:
    name = "?"
    compresses = True

    def __init__(self, work, port):
        self.work = os.path.join(work, self.name)
        self.out = os.path.join(self.work, "out")
        os.makedirs(self.out, exist_ok=True)
        self.port = port
        self.proc = None

    def start(self, scenario, source_file=None):
        cmd, env = self.command(scenario, source_file)
        self.log = open(os.path.join(self.work, "agent.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.procs = [self.proc]
        return self.proc

    def stop(self):
        for proc in reversed(getattr(self, "procs", [])):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path


class Sluice(Agent):
    name = "sluice"

    def command(self, scenario, source_file):
        if scenario == "tail":
            source = ("b.sources.r.type = TAILDIR\n"
                      "b.sources.r.filegroups = g\n"
                      "b.sources.r.filegroups.g = %s\n"
                      "b.sources.r.positionFile = %s/positions.json\n"
                      "b.sources.r.batchSize = 1000\n"
                      "b.sinks.k.hdfs.useLocalTimeStamp = true\n" % (source_file, self.work))
        elif scenario == "udp":
            source = ("b.sources.r.type = syslogudp\n"
                      "b.sources.r.host = 127.0.0.1\n"
                      "b.sources.r.port = %d\n"
                      "b.sources.r.keepFields = all\n"
                      "b.sources.r.batchSize = 1000\n" % self.port)
        else:
            source = ("b.sources.r.type = syslogtcp\n"
                      "b.sources.r.host = 127.0.0.1\n"
                      "b.sources.r.port = %d\n"
                      "b.sources.r.keepFields = all\n"
                      "b.sources.r.eventSize = 8192\n"
                      "b.sources.r.batchSize = 1000\n" % self.port)
        conf = ("b.sources = r\nb.channels = c\nb.sinks = k\n" + source +
                "b.sources.r.channels = c\n"
                "b.channels.c.type = memory\n"
                "b.channels.c.capacity = 200000\n"
                "b.channels.c.transactionCapacity = 10000\n"
                "b.sinks.k.type = hdfs\n"
                "b.sinks.k.channel = c\n"
                "b.sinks.k.hdfs.path = %s/%%Y%%m%%d%%H\n"
                "b.sinks.k.hdfs.filePrefix = sluice\n" % self.out
                + ("b.sinks.k.hdfs.fileType = DataStream\n" if PLAIN else
                   "b.sinks.k.hdfs.fileType = CompressedStream\nb.sinks.k.hdfs.codeC = gzip\n") +
                "b.sinks.k.hdfs.rollInterval = 0\n"
                "b.sinks.k.hdfs.rollSize = 0\n"
                "b.sinks.k.hdfs.rollCount = 0\n"
                "b.sinks.k.hdfs.batchSize = 10000\n"
                "b.sinks.k.hdfs.timeZone = UTC\n")
        path = self.write("bench.properties", conf)
        return [sluice_bin(), "agent", "-n", "b", "-f", path, "--no-reload-conf"], dict(os.environ)


class SluiceTwoTier(Sluice):
    """Scenario 3: remote sluice (syslogtcp -> memory -> avro sink) forwarding over Flume's Avro RPC to
    an aggregator sluice (avro source -> memory -> hdfs gzip). CPU and RSS are summed over both."""
    name = "sluice-avro"

    def start(self, scenario, source_file=None):
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        avro_port = s.getsockname()[1]
        s.close()
        agg = ("g.sources = a\ng.channels = c\ng.sinks = k\n"
               "g.sources.a.type = avro\ng.sources.a.bind = 127.0.0.1\ng.sources.a.port = %d\ng.sources.a.channels = c\n"
               "g.channels.c.type = memory\ng.channels.c.capacity = 200000\ng.channels.c.transactionCapacity = 10000\n"
               "g.sinks.k.type = hdfs\ng.sinks.k.channel = c\ng.sinks.k.hdfs.path = %s/%%Y%%m%%d%%H\n"
               "g.sinks.k.hdfs.filePrefix = sluice\ng.sinks.k.hdfs.fileType = %s\n"
               "g.sinks.k.hdfs.rollInterval = 0\ng.sinks.k.hdfs.rollSize = 0\ng.sinks.k.hdfs.rollCount = 0\n"
               "g.sinks.k.hdfs.batchSize = 10000\ng.sinks.k.hdfs.timeZone = UTC\n"
               % (avro_port, self.out, "DataStream" if PLAIN else "CompressedStream\ng.sinks.k.hdfs.codeC = gzip"))
        remote = ("r.sources = s\nr.channels = c\nr.sinks = k\n"
                  "r.sources.s.type = syslogtcp\nr.sources.s.host = 127.0.0.1\nr.sources.s.port = %d\n"
                  "r.sources.s.keepFields = all\nr.sources.s.eventSize = 8192\nr.sources.s.batchSize = 1000\n"
                  "r.sources.s.channels = c\nr.channels.c.type = memory\nr.channels.c.capacity = 200000\n"
                  "r.channels.c.transactionCapacity = 1000\nr.sinks.k.type = avro\nr.sinks.k.channel = c\n"
                  "r.sinks.k.hostname = 127.0.0.1\nr.sinks.k.port = %d\nr.sinks.k.batch-size = 1000\n" % (self.port, avro_port))
        self.log = open(os.path.join(self.work, "agent.log"), "w")
        aggp = subprocess.Popen([sluice_bin(), "agent", "-n", "g", "-f", self.write("agg.properties", agg), "--no-reload-conf"],
                                stdout=self.log, stderr=subprocess.STDOUT)
        import time
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", avro_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.proc = subprocess.Popen([sluice_bin(), "agent", "-n", "r", "-f", self.write("remote.properties", remote),
                                      "--no-reload-conf"], stdout=self.log, stderr=subprocess.STDOUT)
        self.procs = [aggp, self.proc]
        return self.proc


class SluiceIoc(Sluice):
    """Scenario 4: scenario 1 with the IOC sweeper on, in body mode (every token of the RFC 5424
    line, syslog header included, since the source keeps all fields). Feed: 100 k indicators, half
    domains, half IPv4 (default), or with BENCH_IOC_FEED=mixed the 1 M mixed feed of ioc_bench
    (domains, IPv4, md5, URLs), so URL and hash candidates are looked up too."""
    name = "sluice-ioc"

    def command(self, scenario, source_file):
        cmd, env = super().command(scenario, source_file)
        feed = os.path.join(self.work, "feed.txt")
        with open(feed, "w") as f:
            if os.environ.get("BENCH_IOC_FEED") == "mixed":
                import random  # here, not at the top: only this agent uses it
                rnd = random.Random(42)
                for i in range(1000000):
                    f.write(("bad%d.example%d.com\n" % (i, i % 7), "%d.%d.%d.%d\n" % (11 + i % 200, i >> 16 & 255, i >> 8 & 255, i & 255),
                             "%032x\n" % rnd.getrandbits(128), "http://host%d.example.net/p/%d\n" % (i, i))[i % 4])
            else:
                for i in range(100000):
                    f.write(("bad%d.example.com\n" % i) if i % 2 else ("198.%d.%d.%d\n" % (i >> 16 & 255, i >> 8 & 255, i & 255)))
        conf = cmd[cmd.index("-f") + 1]
        with open(conf, "a") as f:
            f.write("b.sources.r.interceptors = ioc\nb.sources.r.interceptors.ioc.type = ioc_sweeper\n"
                    "b.sources.r.interceptors.ioc.feeds = f\nb.sources.r.interceptors.ioc.feeds.f.path = %s\n"
                    "b.sources.r.interceptors.ioc.mode = body\n"
                    "b.sources.r.interceptors.ioc.reloadInterval = 0\n" % feed)
        return cmd, env


class Rsyslog(Agent):
    name = "rsyslog"

    def command(self, scenario, source_file):
        os.makedirs(os.path.join(self.work, "spool"), exist_ok=True)
        if scenario == "tail":
            inp = ('module(load="imfile")\n'
                   'input(type="imfile" File="%s" Tag="bench" ruleset="bench")\n' % source_file)
            stamp = "timegenerated"
        elif scenario == "udp":
            inp = ('module(load="imudp")\n'
                   'input(type="imudp" address="127.0.0.1" port="%d" ruleset="bench")\n' % self.port)
            stamp = "timereported"
        else:
            inp = ('module(load="imtcp" MaxSessions="100")\n'
                   'input(type="imtcp" address="127.0.0.1" port="%d" ruleset="bench")\n' % self.port)
            stamp = "timereported"
        conf = ('global(workDirectory="%s/spool" maxMessageSize="8k")\n' % self.work + inp +
                'template(name="path" type="string" string="%s/%%%s:::date-utc,date-year%%%%%s:::date-utc,date-month%%'
                '%%%s:::date-utc,date-day%%%%%s:::date-utc,date-hour%%/rsyslog.log%s")\n'
                % (self.out, stamp, stamp, stamp, stamp, "" if PLAIN else ".gz") +
                'template(name="raw" type="string" string="%rawmsg%\\n")\n' +
                'ruleset(name="bench" queue.type="LinkedList" queue.size="200000") {\n'
                '  action(type="omfile" dynaFile="path" template="raw" %sioBufferSize="256k"\n' % ("" if PLAIN else 'zipLevel="6" ') +
                '         dirCreateMode="0755" dynaFileCacheSize="64")\n'
                '}\n')
        path = self.write("rsyslog.conf", conf)
        return ["rsyslogd", "-n", "-f", path, "-i", os.path.join(self.work, "rsyslog.pid")], dict(os.environ)


class SyslogNg(Agent):
    name = "syslog-ng"
    compresses = False  # syslog-ng's file() destination has no compression

    def command(self, scenario, source_file):
        binary, env = syslog_ng_env()
        if scenario == "tail":
            src = 'source s { file("%s" flags(no-parse) follow-freq(0.1) log-fetch-limit(1000) log-iw-size(100000)); };\n' % source_file
            tmpl = "${MESSAGE}\\n"
            path = "%s/${R_YEAR}${R_MONTH}${R_DAY}${R_HOUR}/syslog-ng.log" % self.out
        elif scenario == "udp":
            src = ('source s { network(ip(127.0.0.1) port(%d) transport(udp) flags(syslog-protocol, store-raw-message)'
                   ' so-rcvbuf(4194304) log-iw-size(100000) log-fetch-limit(1000)); };\n' % self.port)
            tmpl = "${RAWMSG}\\n"
            path = "%s/${YEAR}${MONTH}${DAY}${HOUR}/syslog-ng.log" % self.out
        else:
            src = ('source s { network(ip(127.0.0.1) port(%d) transport(tcp) flags(syslog-protocol, store-raw-message)'
                   ' max-connections(100) log-iw-size(100000) log-fetch-limit(1000)); };\n' % self.port)
            tmpl = "${RAWMSG}\\n"
            path = "%s/${YEAR}${MONTH}${DAY}${HOUR}/syslog-ng.log" % self.out
        conf = ('@version: 3.38\n'
                'options { use-dns(no); keep-timestamp(yes); time-zone("UTC"); flush-lines(1000);'
                ' create-dirs(yes); stats-freq(0); };\n' + src +
                'destination d { file("%s" template("%s") log-fifo-size(200000)); };\n' % (path, tmpl) +
                'log { source(s); destination(d); };\n')
        p = self.write("syslog-ng.conf", conf)
        return [binary, "-F", "-f", p, "--no-caps", "-R", os.path.join(self.work, "persist"),
                "-c", os.path.join(self.work, "ctl"), "-p", os.path.join(self.work, "pid")], env


AGENTS = {"sluice": Sluice, "rsyslog": Rsyslog, "syslog-ng": SyslogNg, "sluice-avro": SluiceTwoTier,
          "sluice-ioc": SluiceIoc}

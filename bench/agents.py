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
        return self.proc

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

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
                "b.sinks.k.hdfs.filePrefix = sluice\n"
                "b.sinks.k.hdfs.fileType = CompressedStream\n"
                "b.sinks.k.hdfs.codeC = gzip\n"
                "b.sinks.k.hdfs.rollInterval = 0\n"
                "b.sinks.k.hdfs.rollSize = 0\n"
                "b.sinks.k.hdfs.rollCount = 0\n"
                "b.sinks.k.hdfs.batchSize = 10000\n"
                "b.sinks.k.hdfs.timeZone = UTC\n" % self.out)
        path = self.write("bench.properties", conf)
        return [sluice_bin(), "agent", "-n", "b", "-f", path, "--no-reload-conf"], dict(os.environ)


class Rsyslog(Agent):
    name = "rsyslog"

    def command(self, scenario, source_file):
        os.makedirs(os.path.join(self.work, "spool"), exist_ok=True)
        if scenario == "tail":
            inp = ('module(load="imfile")\n'
                   'input(type="imfile" File="%s" Tag="bench" ruleset="bench")\n' % source_file)
            stamp = "timegenerated"
        else:
            inp = ('module(load="imtcp" MaxSessions="100")\n'
                   'input(type="imtcp" address="127.0.0.1" port="%d" ruleset="bench")\n' % self.port)
            stamp = "timereported"
        conf = ('global(workDirectory="%s/spool" maxMessageSize="8k")\n' % self.work + inp +
                'template(name="path" type="string" string="%s/%%%s:::date-utc,date-year%%%%%s:::date-utc,date-month%%'
                '%%%s:::date-utc,date-day%%%%%s:::date-utc,date-hour%%/rsyslog.log.gz")\n'
                % (self.out, stamp, stamp, stamp, stamp) +
                'template(name="raw" type="string" string="%rawmsg%\\n")\n' +
                'ruleset(name="bench" queue.type="LinkedList" queue.size="200000") {\n'
                '  action(type="omfile" dynaFile="path" template="raw" zipLevel="6" ioBufferSize="256k"\n'
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


AGENTS = {"sluice": Sluice, "rsyslog": Rsyslog, "syslog-ng": SyslogNg}

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * MongoDB wire-protocol stand-in for machines without MongoDB.
 *
 * Usage: java -cp 'lib/*' Launcher.java [port] [--ignore-stdin]
 *
 * Port 0 (the default) lets the OS pick a free port; the ready line tells which one:
 *   mongo-stand-in ready 127.0.0.1:PORT
 *
 * The server stops on SIGTERM/SIGINT and, unless --ignore-stdin is given, when its standard input
 * closes: a parent that spawns it with a stdin pipe cannot leave it running by dying.
 */
public class Launcher {

    /**
     * mongo-java-server 1.47.0 (the newest release) reports "5.0.0" with wire version 8, and the Node
     * driver 7.x behind mongoose 9 refuses anything below wire version 9 (MongoDB 4.4). The server
     * uses this value only in its ismaster/buildInfo replies, and the driver gates nothing between
     * wire 8 and 9 other than that refusal, so the stand-in announces the oldest version it accepts.
     */
    private static final MongoVersion REPORTED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    public static void main(String[] args) throws Exception {
        // Set before the first logger exists: Netty and the server are chatty at info.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");

        int port = 0;
        boolean watchStdin = true;
        for (String arg : args) {
            if (arg.equals("--ignore-stdin")) {
                watchStdin = false;
            } else {
                port = Integer.parseInt(arg);
            }
        }

        MongoServer server = new MongoServer(new MemoryBackend().version(REPORTED_VERSION));
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();

        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-stand-in-shutdown"));

        System.out.println("mongo-stand-in ready 127.0.0.1:" + address.getPort());
        System.out.flush();

        if (watchStdin) {
            drainUntilClosed(System.in);
            System.exit(0);
        }
        Thread.currentThread().join();
    }

    private static void drainUntilClosed(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) != -1) {
                // Anything written to stdin is ignored; only its end matters.
            }
        } catch (IOException closed) {
            // A broken pipe means the parent is gone, the same as end of input.
        }
    }
}

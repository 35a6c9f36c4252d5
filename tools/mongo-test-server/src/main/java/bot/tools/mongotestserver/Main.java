package bot.tools.mongotestserver;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Starts an in-memory MongoDB wire-compatible server for tests.
 *
 * <p>Usage: {@code java -jar mongo-test-server.jar [port] [host]}. Port 0 (the default) binds a
 * free port. Once listening, prints exactly one line
 * {@code MONGO_TEST_SERVER_LISTENING host=<host> port=<port>} so the Node test tooling can parse
 * it. Stops when standard input closes (the parent process went away, even if it was killed) or
 * on SIGTERM/SIGINT.
 */
public final class Main {
    /**
     * The Node.js driver 7 refuses servers below wire version 9 (MongoDB 4.4), and the newest
     * ServerVersion the library ships (MONGO_5_0) announces wire version 8. The commands the bot
     * uses are all older than 4.4, so announcing 4.4 is honest enough for the tests; announcing
     * more would let the driver use features the server lacks.
     */
    private static final MongoVersion ANNOUNCED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        String host = args.length > 1 ? args[1] : "127.0.0.1";

        MongoServer server = new MongoServer(new MemoryBackend().version(ANNOUNCED_VERSION));
        server.bind(host, port);
        InetSocketAddress address = server.getLocalAddress();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            stopped.countDown();
        }, "mongo-test-server-shutdown"));

        System.out.println("MONGO_TEST_SERVER_LISTENING host=" + host + " port=" + address.getPort());
        System.out.flush();

        // Stdin EOF is the only stop signal that also works when the parent dies with SIGKILL:
        // the pipe closes and we exit instead of leaking a server.
        Thread stdinWatcher = new Thread(() -> {
            waitForEndOfInput(System.in);
            System.exit(0);
        }, "mongo-test-server-stdin");
        stdinWatcher.setDaemon(true);
        stdinWatcher.start();

        stopped.await();
    }

    private static void waitForEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) != -1) {
                // Input is ignored; only its end matters.
            }
        } catch (IOException e) {
            // A broken stdin means the parent is gone, which is the same as EOF.
        }
    }
}

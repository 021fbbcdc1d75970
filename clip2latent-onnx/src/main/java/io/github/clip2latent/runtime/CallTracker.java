package io.github.clip2latent.runtime;

/**
 * Counts the calls running on a native resource so that closing it waits for them, as ONNX
 * Runtime's own {@code NativeObject} does for its handles: a native session freed while another
 * thread runs it crashes the JVM (SIGSEGV in {@code libonnxruntime.so}), it does not throw.
 *
 * <p>Every call brackets its use with {@link #enter()} and {@link #exit()} (in a {@code finally});
 * {@link #close()} refuses new calls at once, then waits for the running ones to finish. Long calls
 * may poll {@link #isClosing()} between chunks to stop early. Thread-safe.
 */
public final class CallTracker {

    private final String what;
    private int inFlight;
    private boolean closed;

    /**
     * @param what the resource, named in the {@link IllegalStateException} of a call after close
     *     (e.g. "this Clip2Latent handle")
     */
    public CallTracker(String what) {
        this.what = what;
    }

    /**
     * Registers a call.
     *
     * @throws IllegalStateException if {@link #close()} has been called
     */
    public synchronized void enter() {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
        inFlight++;
    }

    /** Ends a call registered by {@link #enter()}. */
    public synchronized void exit() {
        if (inFlight <= 0) {
            throw new IllegalStateException("exit() without enter() on " + what);
        }
        if (--inFlight == 0) {
            notifyAll();
        }
    }

    /** Whether {@link #close()} has been called: running calls should stop at their next chunk. */
    public synchronized boolean isClosing() {
        return closed;
    }

    /** Calls running now. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /**
     * Refuses new calls and waits until the running ones have ended. An interrupt does not cut the
     * wait short (freeing the native resource under a running call is what this class prevents);
     * the thread's interrupt flag is restored before returning.
     *
     * @return true the first time, when the caller should free the resource; false afterwards
     */
    public boolean close() {
        boolean interrupted = false;
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
            while (inFlight > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return first;
    }
}

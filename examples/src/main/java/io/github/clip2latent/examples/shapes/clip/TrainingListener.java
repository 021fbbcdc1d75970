package io.github.clip2latent.examples.shapes.clip;

/** Receives training progress after each step; called on the training thread. */
@FunctionalInterface
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = (step, loss, accuracy) -> {};

    /**
     * Called after each optimizer step.
     *
     * @param step 1-based step number within this {@code train} call
     * @param loss the symmetric InfoNCE loss of the step's batch, before the update
     * @param accuracy top-1 image-to-caption retrieval accuracy on the same batch, before the
     *     update, among the batch's distinct captions (see {@link Retrieval#topOneAccuracy})
     */
    void onStep(int step, double loss, double accuracy);
}

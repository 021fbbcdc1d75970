package io.github.clip2latent.examples.shapes.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each copy of a plan changes the fields it names and keeps every other one. */
class BuildPlanTest {

    private static final BuildPlan STANDARD = BuildPlan.standard();

    @Test
    void eachCopyChangesOnlyTheFieldsItNames() {
        assertEquals(plan(3200, 100_000, 3000, 0.5, 1), STANDARD.withAlpha(0.5));
        assertEquals(plan(200, 100_000, 300, 0.25, 1), STANDARD.withSteps(200, 300));
        assertEquals(plan(3200, 100_000, 3000, 0.25, 2), STANDARD.withSeed(2));
        assertEquals(plan(3200, 5000, 3000, 0.25, 1), STANDARD.withDatasetSamples(5000));
    }

    private static BuildPlan plan(
            int clipSteps, int datasetSamples, int priorSteps, double alpha, long seed) {
        return new BuildPlan(
                STANDARD.worldSeed(),
                clipSteps,
                STANDARD.clipBatch(),
                datasetSamples,
                STANDARD.prior(),
                priorSteps,
                STANDARD.priorBatch(),
                STANDARD.learningRate(),
                STANDARD.emaBeta(),
                STANDARD.emaStart(),
                alpha,
                seed);
    }
}

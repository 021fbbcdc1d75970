package io.github.clip2latent.examples.shapes.build;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.clip2latent.bundle.BundleWriter;
import io.github.clip2latent.bundle.ModelBundle;
import io.github.clip2latent.fixtures.RandomBundles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A work folder resumes only the plan that made it: a stage another seed or CLIP budget wrote is
 * refused before anything is trained or written, instead of carrying that plan's CLIP into this
 * one's bundle.
 */
class ShapesBundleBuilderTest {

    @TempDir Path dir;

    @Test
    void aWorkFolderOfAnotherSeedIsRefusedBeforeAnythingIsWritten() throws IOException {
        BuildPlan standard = BuildPlan.standard();
        Path work = dir.resolve("work");
        ModelBundle random =
                RandomBundles.write(dir.resolve("random"), RandomBundles.Spec.tiny(), 3);
        BundleWriter writer = BundleWriter.basedOn(random, work.resolve("stage1"));
        ShapesBundleBuilder.planFacts(standard).forEach(writer::provenance);
        writer.write();
        Path out = dir.resolve("out");
        List<String> progress = new ArrayList<>();

        IOException refused =
                assertThrows(
                        IOException.class,
                        () ->
                                ShapesBundleBuilder.build(
                                        standard.withSeed(2), work, out, progress::add));

        String message = refused.getMessage();
        assertTrue(message.contains(work.resolve("stage1").toString()), message);
        assertTrue(message.contains("shapes.buildSeed=1"), message);
        assertTrue(message.contains("shapes.buildSeed=2"), message);
        assertFalse(Files.exists(out), "no bundle after a refusal");
        assertFalse(Files.exists(work.resolve("dataset")), "no dataset after a refusal");
    }

    @Test
    void aStageIsReusedOnlyWithEveryFactOfThePlanRecorded() {
        BuildPlan plan = BuildPlan.standard().withSeed(5);
        Path stage = dir.resolve("stage1");
        Map<String, String> facts = ShapesBundleBuilder.planFacts(plan);

        assertDoesNotThrow(() -> ShapesBundleBuilder.checkSamePlan(stage, facts, plan));
        IOException otherSteps =
                assertThrows(
                        IOException.class,
                        () ->
                                ShapesBundleBuilder.checkSamePlan(
                                        stage, facts, plan.withSteps(100, plan.priorSteps())));
        String message = otherSteps.getMessage();
        assertTrue(message.contains("shapes.clipSteps=100"), message);
        IOException unrecorded =
                assertThrows(
                        IOException.class,
                        () -> ShapesBundleBuilder.checkSamePlan(stage, Map.of(), plan));
        assertTrue(unrecorded.getMessage().contains("(not recorded)"), unrecorded.getMessage());
    }
}

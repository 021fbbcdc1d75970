package io.github.clip2latent.examples.cli;

import io.github.clip2latent.Clip2Latent;
import io.github.clip2latent.SampleRequest;
import io.github.clip2latent.SampleResult;
import io.github.clip2latent.examples.shapes.Caption;
import io.github.clip2latent.examples.shapes.ShapesWorld;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/**
 * The README's quick-start command tried as a newcomer would: the quick-start prompt drawn with the
 * {@code sample} command's own defaults (whatever they are today: the request is configured by a
 * parsed {@code sample} command line, exactly as the CLI does) for a range of seeds, each image
 * checked against the ground truth.
 */
final class QuickStartCheck {

    /** The prompt of the README's quick start ({@code ./clip2latent "..." --out out.png}). */
    static final String PROMPT = "a small red circle on the left";

    private QuickStartCheck() {}

    /**
     * The outcome.
     *
     * @param prompt the prompt
     * @param firstSeed the first seed; seeds {@code firstSeed .. firstSeed + right.size() - 1}
     * @param right per seed, whether every named attribute is right
     * @param candidates the CLI's default candidates
     * @param guidance the CLI's default guidance
     * @param steps the CLI's default respacing, as a table cell
     */
    record Outcome(
            String prompt,
            long firstSeed,
            List<Boolean> right,
            int candidates,
            float guidance,
            String steps) {

        /** Seeds whose image is right. */
        int rightCount() {
            return (int) right.stream().filter(b -> b).count();
        }

        /** Seeds whose image is wrong, as a list of seeds. */
        List<Long> wrongSeeds() {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < right.size(); i++) {
                if (!right.get(i)) {
                    out.add(firstSeed + i);
                }
            }
            return out;
        }
    }

    /**
     * Draws the prompt once per seed with the CLI's defaults.
     *
     * @param model the loaded bundle
     * @param world its world, for the ground truth
     * @param prompt the prompt (its attributes are read with {@link Caption#parse})
     * @param firstSeed the first seed
     * @param seeds how many seeds
     * @return the outcome
     */
    static Outcome run(
            Clip2Latent model, ShapesWorld world, String prompt, long firstSeed, int seeds) {
        Caption meaning = Caption.parse(prompt);
        List<Boolean> right = new ArrayList<>();
        SampleRequest last = null;
        for (int i = 0; i < seeds; i++) {
            SampleCommand sample = new SampleCommand();
            // Option values are case-insensitive, as Clip2LatentCommand.commandLine() parses them.
            new CommandLine(sample)
                    .setCaseInsensitiveEnumValuesAllowed(true)
                    .parseArgs(prompt, "--seed", Long.toString(firstSeed + i));
            last = sample.configure(model.prompt(prompt)).build();
            SampleResult result = model.sample(last);
            right.add(meaning.matches(world.attributes(result.ws(), 0)));
        }
        if (last == null) {
            throw new IllegalArgumentException("seeds must be >= 1, got " + seeds);
        }
        String steps = last.steps() > 0 ? Integer.toString(last.steps()) : "skip " + last.skip();
        return new Outcome(
                prompt, firstSeed, List.copyOf(right), last.candidates(), last.guidance(), steps);
    }
}

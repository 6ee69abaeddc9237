/**
 * The training recipe: everything besides the model config and the data that
 * decides what a training run produces. Defaults are the paper's (ARCHITECTURE.md,
 * "Training": AdamW with PyTorch's defaults, 40 epochs, batch 64, noise p=0.2 at
 * 0.03 x per-sample per-channel std). A model records its recipe.
 */
import { z } from 'zod';

export const TrainRecipeSchema = z
  .object({
    epochs: z.number().int().positive().default(40),
    /** The last batch of an epoch may be smaller (torch DataLoader, drop_last=False). */
    batchSize: z.number().int().positive().default(64),
    lr: z.number().positive().default(1e-3),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().default(1e-8),
    weightDecay: z.number().min(0).default(0.01),
    /**
     * Linear warm-up: step s (1-based) uses lr * min(1, s / warmupSteps); 0 = none (the paper).
     * At lr 1e-3 without warm-up most seeds stall (ARCHITECTURE.md, "Known behaviour").
     */
    warmupSteps: z.number().int().min(0).default(0),
    /** Probability that a batch gets input noise. */
    noiseP: z.number().min(0).max(1).default(0.2),
    /** Noise standard deviation as a multiple of each sample's per-channel spatial std. */
    noiseScale: z.number().min(0).default(0.03),
    /** Seeds the initial weights, the shuffling and the noise. */
    seed: z.number().int().default(0),
  })
  .strict();

export type TrainRecipe = z.output<typeof TrainRecipeSchema>;
export type TrainRecipeInput = z.input<typeof TrainRecipeSchema>;

/** Validates and fills the paper's defaults; throws zod's error on an invalid recipe. */
export function parseTrainRecipe(input: TrainRecipeInput): TrainRecipe {
  return TrainRecipeSchema.parse(input);
}

/** Learning rate of 1-based step `step` under the recipe's warm-up. */
export function learningRateAt(recipe: TrainRecipe, step: number): number {
  return recipe.warmupSteps > 0 ? recipe.lr * Math.min(1, step / recipe.warmupSteps) : recipe.lr;
}

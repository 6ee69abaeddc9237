/**
 * Configuration of the spatial autoregressive CNN (ARCHITECTURE.md, "AR
 * model"): `layers` convolutions of size `kernel`, `hidden` channels between
 * them, ReLU between layers and none after the last, padding that keeps the
 * grid size, one dilation per layer (the last listed value is reused for the
 * remaining layers).
 */
import { z } from 'zod';

export const AR_MODES = ['bidirectional', 'causal', 'standard'] as const;
export type ArMode = (typeof AR_MODES)[number];

export const ArConfigSchema = z
  .object({
    /** bidirectional: first layer's centre tap masked (paper default); causal: PixelCNN raster masks; standard: none. */
    mode: z.enum(AR_MODES).default('bidirectional'),
    /** Feature channels C of the backbone (input and output of the model). */
    inChannels: z.number().int().positive(),
    hidden: z.number().int().positive().default(256),
    layers: z.number().int().min(1).max(32).default(5),
    kernel: z
      .number()
      .int()
      .positive()
      .refine(
        (k) => k % 2 === 1,
        'kernel must be odd so that the centre tap is the predicted patch',
      )
      .default(3),
    dilations: z.array(z.number().int().positive()).min(1).default([4, 4, 4, 4]),
    /**
     * Causal only: this model reads the grid rotated by 180 degrees (reverse
     * raster order). Its graph flips the grid in and out, so its prediction is
     * aligned with the unflipped grid and can be averaged with the first model's.
     */
    flipped: z.boolean().default(false),
  })
  .refine((c) => c.dilations.length <= c.layers, {
    message: 'more dilations than layers',
    path: ['dilations'],
  })
  .refine((c) => !c.flipped || c.mode === 'causal', {
    message: 'only a causal model can be flipped',
    path: ['flipped'],
  })
  .refine((c) => c.mode === 'standard' || c.kernel >= 3, {
    message: 'a masked model needs kernel >= 3 (a 1x1 masked kernel sees nothing)',
    path: ['kernel'],
  });

export type ArConfig = z.output<typeof ArConfigSchema>;
export type ArConfigInput = z.input<typeof ArConfigSchema>;

/** Validates and fills defaults; throws zod's error on an invalid config. */
export function parseArConfig(input: ArConfigInput): ArConfig {
  return ArConfigSchema.parse(input);
}

/** Dilation of layer `layer` (0-based). */
export function layerDilation(config: ArConfig, layer: number): number {
  return config.dilations[Math.min(layer, config.dilations.length - 1)]!;
}

/** Input and output channels of layer `layer`. */
export function layerChannels(
  config: ArConfig,
  layer: number,
): { inChannels: number; outChannels: number } {
  return {
    inChannels: layer === 0 ? config.inChannels : config.hidden,
    outChannels: layer === config.layers - 1 ? config.inChannels : config.hidden,
  };
}

/** Zero padding on each side that keeps the grid size: dilation * (kernel - 1) / 2. */
export function layerPadding(config: ArConfig, layer: number): number {
  return (layerDilation(config, layer) * (config.kernel - 1)) / 2;
}

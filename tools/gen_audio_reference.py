#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden outputs of torchaudio's feature transforms for tests/audio/features_test.cpp.

Run by hand when a reference changes (needs Debian's python3-torchaudio, 0.13):
    /usr/bin/python3 tools/gen_audio_reference.py
Writes tests/data/audio/<case>.npy (float32 outputs) from two synthetic float32 signals,
sig16k.npy (0.5 s at 16 kHz) and sig8k.npy (0.3 s at 8 kHz), plus pcm16.wav written by
Python's own `wave` module (an independent writer) with its samples in pcm16.npy.
"""
import os
import sys
import wave

import numpy as np
import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi
import torchaudio.functional as AF
import torchaudio.transforms as T

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "audio")


def signal(rate, seconds, seed):
    """A voiced-speech-like test signal: a gliding harmonic tone, a burst of noise, silence."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    f0 = 140 + 60 * t / seconds
    phase = 2 * np.pi * np.cumsum(f0) / rate
    x = sum(0.3 / k * np.sin(k * phase) for k in range(1, 8))
    x *= np.minimum(1.0, 8 * t) * np.minimum(1.0, 8 * (seconds - t))
    burst = (t > 0.6 * seconds) & (t < 0.75 * seconds)
    x[burst] += 0.05 * rng.standard_normal(burst.sum())
    return x.astype(np.float32)


def save(name, tensor):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(tensor.detach().numpy().astype(np.float32)))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    s16 = signal(16000, 0.5, 1)
    s8 = signal(8000, 0.3, 2)
    np.save(os.path.join(OUT, "sig16k.npy"), s16)
    np.save(os.path.join(OUT, "sig8k.npy"), s8)
    x16 = torch.from_numpy(s16)
    x8 = torch.from_numpy(s8)

    save("spectrogram_default", T.Spectrogram()(x16))
    save("spectrogram_mag_norm", T.Spectrogram(n_fft=512, win_length=400, hop_length=160, power=1.0,
                                               normalized=True)(x16))
    save("spectrogram_hamming_nocenter_pad", T.Spectrogram(n_fft=256, hop_length=100, pad=50, center=False,
                                                           window_fn=torch.hamming_window, power=1.5)(x16))
    save("stft_256_64", torch.view_as_real(torch.stft(x16, 256, 64, window=torch.hann_window(256),
                                                        return_complex=True)))
    spec = torch.stft(x16, 256, 64, window=torch.hann_window(256), return_complex=True)
    save("istft_256_64", torch.istft(spec, 256, 64, window=torch.hann_window(256), length=len(s16)))
    save("fbanks_htk", AF.melscale_fbanks(257, 0.0, 8000.0, 40, 16000))
    save("fbanks_slaney", AF.melscale_fbanks(201, 50.0, 7000.0, 30, 16000, norm="slaney", mel_scale="slaney"))
    mel_kwargs = dict(n_fft=512, win_length=400, hop_length=160, n_mels=40)
    save("melspec_40", T.MelSpectrogram(sample_rate=16000, **mel_kwargs)(x16))
    save("melspec_slaney", T.MelSpectrogram(sample_rate=8000, n_fft=256, hop_length=80, n_mels=32, norm="slaney",
                                            mel_scale="slaney")(x8))
    mfcc = T.MFCC(sample_rate=16000, n_mfcc=13, melkwargs=mel_kwargs)(x16)
    save("mfcc_13", mfcc)
    save("mfcc_13_logmels", T.MFCC(sample_rate=16000, n_mfcc=13, log_mels=True, melkwargs=mel_kwargs)(x16))
    save("deltas_mfcc_13", AF.compute_deltas(mfcc))
    save("deltas_mfcc_13_win9", AF.compute_deltas(mfcc, win_length=9))
    power = T.Spectrogram(n_fft=256, hop_length=64)(x16)
    save("griffinlim_8", AF.griffinlim(power, torch.hann_window(256), 256, 64, 256, 2.0, 8, 0.99, len(s16), False))
    db_in = torch.stack([power, power * 1e-3])
    save("amplitude_to_db_top80", AF.amplitude_to_DB(db_in, 10.0, 1e-10, 0.0, 80.0))

    w16 = x16.unsqueeze(0)
    w8 = x8.unsqueeze(0)
    save("kaldi_fbank_default", kaldi.fbank(w16))
    save("kaldi_mfcc_default", kaldi.mfcc(w16))
    save("kaldi_fbank_energy_nosnip_hamming", kaldi.fbank(w16, use_energy=True, snip_edges=False, window_type="hamming",
                                                          num_mel_bins=40, low_freq=60, high_freq=-400))
    save("kaldi_mfcc_8k_htk", kaldi.mfcc(w8, sample_frequency=8000, use_energy=True, htk_compat=True,
                                         num_mel_bins=26, num_ceps=13, raw_energy=False))
    save("kaldi_fbank_8k_magnitude", kaldi.fbank(w8, sample_frequency=8000, use_power=False, use_log_fbank=False,
                                                 round_to_power_of_two=False, frame_length=25.0, window_type="blackman",
                                                 subtract_mean=True))

    # A 16-bit PCM WAV written by Python's wave module, with the samples it holds.
    pcm = np.round(np.clip(s8[:1000], -1, 1) * 32767).astype("<i2")
    with wave.open(os.path.join(OUT, "pcm16.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm.tobytes())
    np.save(os.path.join(OUT, "pcm16.npy"), (pcm.astype(np.float32) / 32768.0))
    with open(os.path.join(OUT, "VERSION.txt"), "w") as f:
        f.write(f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, numpy {np.__version__}\n")
    print("wrote", len([n for n in os.listdir(OUT) if n.endswith(".npy")]), "files to", os.path.abspath(OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

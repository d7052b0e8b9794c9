#!/usr/bin/perl
# Test audio for the command-line tests: SECONDS of four random tones and noise at 16 kHz, seeded,
# written as DIR/audio.wav (16-bit mono WAV) and DIR/audio.raw (the same samples as raw PCM).
#
#   perl tones_and_noise.pl SEED SECONDS DIR
use strict;
use warnings;
my ($seed, $seconds, $dir) = @ARGV;
srand($seed);
my $rate = 16000;
my $n = int($seconds * $rate);
my @f = map { 100 + rand(3000) } 1 .. 4;
my $pcm = pack("s<*", map { my $t = $_ / $rate; my $x = 0; $x += sin(6.2831853 * $_ * $t) for @f;
                              int(6000 * $x / 4 + 1500 * (rand(2) - 1)) } 0 .. $n - 1);
open(my $raw, ">:raw", "$dir/audio.raw") or die; print $raw $pcm; close $raw;
open(my $wav, ">:raw", "$dir/audio.wav") or die;
print $wav "RIFF", pack("V", 36 + length $pcm), "WAVEfmt ", pack("VvvVVvv", 16, 1, 1, $rate, 2 * $rate, 2, 16),
           "data", pack("V", length $pcm), $pcm;
close $wav;

#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# SQL belongs to the module that owns the table (issue 14): a module reads and writes another
# module's tables only through that module's functions (gw_query_*, gw_store_*, ...), never
# with SQL of its own. A table belongs to the module whose source creates it (CREATE TABLE in
# gateway/db.c's migrations or in a module's own gw_db_migrate_module() steps). In every other
# module, a string literal (adjacent literals joined, comments skipped) that names it after
# FROM, JOIN, INTO or UPDATE is reported as file:line. gateway/app/ (the program) is a module
# of its own here: it owns no tables and calls the modules' functions.
#
# Usage: tools/check-sql-owner.pl FILE...   (paths relative to the source tree's top)
# Exit: 0 clean, 1 violations found.
use strict;
use warnings;

sub module_of {
    my ($f) = @_;
    return 'app' if $f =~ m{^gateway/app/};
    return $f =~ m{^([^/]+)/} ? $1 : '';
}

# Returns: a list of [line, text] for the string literals of src, adjacent ones joined.
sub literals {
    my ($src) = @_;
    my (@out, $prev_end);
    my $line = 1;
    my $counted = 0;
    while ($src =~ m{(/\*.*?\*/)|("(?:[^"\\\n]|\\.)*")|('(?:[^'\\\n]|\\.)*')}gs) {
        my ($start, $end) = ($-[0], $+[0]);
        next unless defined $2;
        my $text = substr($2, 1, -1);
        $line += (substr($src, $counted, $start - $counted) =~ tr/\n//);
        $counted = $start;
        if (@out && defined $prev_end && substr($src, $prev_end, $start - $prev_end) =~ /^\s*$/) {
            $out[-1][1] .= $text;
        } else {
            push @out, [$line, $text];
        }
        $prev_end = $end;
    }
    return @out;
}

my (%src, %owner);
for my $f (@ARGV) {
    open(my $fh, '<', $f) or die "$f: $!\n";
    local $/;
    $src{$f} = <$fh>;
    close $fh;
    my $mod = module_of($f);
    for my $lit (literals($src{$f})) {
        while ($lit->[1] =~ /\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_]\w*)/g) {
            $owner{lc $1} //= $mod;
        }
    }
}

my $status = 0;
for my $f (@ARGV) {
    my $mod = module_of($f);
    for my $lit (literals($src{$f})) {
        while ($lit->[1] =~ /\b(FROM|JOIN|INTO|UPDATE)\s+([A-Za-z_]\w*)/g) {
            my ($kw, $t) = ($1, lc $2);
            my $o = $owner{$t};
            next if !defined $o || $o eq $mod;
            print "$f:$lit->[0]: SQL names table $t ($kw $t) of module $o/; "
                . "call a function of $o instead\n";
            $status = 1;
        }
    }
}
exit $status;

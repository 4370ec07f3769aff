/**
 * Admission control of the proxy (pure): how many produce requests and how many body bytes may be
 * held at once. A request is admitted before its body is read, on its declared Content-Length; a
 * body of unknown length (chunked) is admitted with 0 bytes and grows while it is read. Bytes of
 * Kafka sends that outlived their request (answered 503 at the deadline, still retried by the
 * client library) are counted too, through `extraBytes`, so a stalled broker cannot make the proxy
 * hold more than the cap.
 */
export interface AdmissionCaps {
  maxRequestsInFlight: number;
  maxBytesInFlight: number;
}

export type Refusal = 'requests' | 'bytes';

export interface Ticket {
  readonly bytes: number;
  /** Adds bytes read from a body of unknown length; false (and nothing added) when over the cap. */
  grow(n: number): boolean;
  /** Gives the request's share back; safe to call more than once. */
  release(): void;
}

export class Admission {
  private requests = 0;
  private bytes = 0;
  private readonly caps: AdmissionCaps;
  private readonly extraBytes: () => number;

  constructor(caps: AdmissionCaps, extraBytes: () => number = () => 0) {
    this.caps = caps;
    this.extraBytes = extraBytes;
  }

  get inFlight(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes + this.extraBytes() };
  }

  private fits(more: number): boolean {
    return this.bytes + this.extraBytes() + more <= this.caps.maxBytesInFlight;
  }

  /** A ticket for a request of `declaredBytes` (0 when unknown), or why it is refused. */
  admit(declaredBytes: number): Ticket | Refusal {
    if (this.requests >= this.caps.maxRequestsInFlight) return 'requests';
    // A request alone is always admitted when nothing else is held (its body is still bounded by
    // the body limit), so a byte cap set below the body limit cannot block every request.
    if (!this.fits(declaredBytes) && !(this.requests === 0 && this.extraBytes() === 0)) return 'bytes';
    this.requests++;
    this.bytes += declaredBytes;
    let held = declaredBytes;
    let released = false;
    return {
      get bytes() {
        return held;
      },
      grow: (n: number) => {
        if (released) return false;
        if (!this.fits(n) && !(this.requests === 1 && this.extraBytes() === 0)) return false;
        held += n;
        this.bytes += n;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.requests--;
        this.bytes -= held;
      },
    };
  }
}

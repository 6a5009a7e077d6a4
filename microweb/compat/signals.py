"""``flask.signals``: Flask's signals, and :class:`Namespace` for an app's own.

A signal calls its receivers with a sender and keyword arguments:
``template_rendered.connect(record, app)`` has ``record(app, template=...,
context=...)`` called each time *app* renders a template. The API is the
part of blinker's that Flask apps and their tests use (``connect``,
``disconnect``, ``send``, ``connected_to``, ``connect_via``,
``receivers``, ``has_receivers_for``), written here so the layer needs no
package beyond the core's; blinker, if installed, is not used.

Receivers are held through weak references by default (a bound method
through :class:`weakref.WeakMethod`), so a receiver that nothing else
holds goes away by itself. Connecting and disconnecting take a lock;
sending reads snapshots and takes none. A receiver's exception is not
caught: it propagates out of :meth:`Signal.send`, and the receivers after
it are not called, as with blinker.

The request path pays for none of this while no receiver is connected: it
reads :data:`receivers_connected` (an attribute, no call) before sending.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import typing as t
import weakref

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


class _Any:
    """The sender that stands for every sender."""

    def __repr__(self) -> str:
        return "ANY"


#: Connect with ``sender=ANY`` (the default) to receive what every sender sends.
ANY: t.Any = _Any()

#: True while any of Flask's signals below has a receiver. The request path
#: reads it before sending, so that a request sends nothing, and makes no
#: call, while nobody listens.
receivers_connected = False


def _key(obj: object) -> t.Hashable:
    """How a receiver or a sender is known: by identity (a bound method by its
    object and function), strings and integers by value, as blinker does."""
    if inspect.ismethod(obj):
        return (id(obj.__self__), id(obj.__func__))
    if isinstance(obj, (str, int)):
        return obj
    return id(obj)


_ANY_KEY = _key(ANY)


class Signal:
    """Calls its receivers with a sender and keyword arguments; see the module."""

    #: The sender that stands for every sender: ``Signal.ANY``.
    ANY = ANY

    def __init__(self, doc: str | None = None) -> None:
        if doc:
            self.__doc__ = doc
        #: The connected receivers by key: each the receiver itself, or a
        #: weak reference to it.
        self.receivers: dict[t.Hashable, t.Any] = {}
        # sender key -> receiver keys, in the order they connected. Replaced,
        # never changed in place, so that send() reads a snapshot.
        self._by_sender: dict[t.Hashable, tuple[t.Hashable, ...]] = {}
        # receiver key -> sender keys it is connected for.
        self._by_receiver: dict[t.Hashable, frozenset[t.Hashable]] = {}
        # Weak references to senders, to forget their receivers when they go.
        self._senders: dict[t.Hashable, weakref.ref[t.Any]] = {}
        self._lock = threading.RLock()

    def connect(self, receiver: _F, sender: t.Any = ANY, weak: bool = True) -> _F:
        """Call *receiver* with ``(sender, **kwargs)`` on each send from *sender*.

        :param sender: Only what this object sends; :data:`ANY` (the
            default) for every sender.
        :param weak: Hold *receiver* through a weak reference, so it is
            disconnected when nothing else holds it. A callable that cannot
            be weakly referenced is held strongly.
        :return: *receiver*, so that this can be a decorator.
        """
        rkey = _key(receiver)
        skey = _ANY_KEY if sender is ANY else _key(sender)
        ref: t.Any = receiver
        if weak:
            forget = self._forget_receiver_callback(rkey)
            try:
                if inspect.ismethod(receiver):
                    ref = weakref.WeakMethod(receiver, forget)
                else:
                    ref = weakref.ref(receiver, forget)
            except TypeError:
                ref = receiver
        with self._lock:
            self.receivers.setdefault(rkey, ref)
            keys = self._by_sender.get(skey, ())
            if rkey not in keys:
                self._by_sender[skey] = (*keys, rkey)
            self._by_receiver[rkey] = self._by_receiver.get(rkey, frozenset()) | {skey}
            if skey != _ANY_KEY and skey not in self._senders:
                try:
                    self._senders[skey] = weakref.ref(sender, self._forget_sender_callback(skey))
                except TypeError:
                    pass  # a string, a number: kept by value
        _changed()
        return receiver

    def connect_via(self, sender: t.Any, weak: bool = False) -> t.Callable[[_F], _F]:
        """Decorate a function to connect it for *sender*: ``@signal.connect_via(app)``.

        Held strongly by default, as the function's module holds it anyway.
        """

        def decorator(receiver: _F) -> _F:
            return self.connect(receiver, sender, weak)

        return decorator

    @contextlib.contextmanager
    def connected_to(
        self, receiver: t.Callable[..., t.Any], sender: t.Any = ANY
    ) -> t.Iterator[None]:
        """Connect *receiver* for the ``with`` block only; it is disconnected
        however the block ends."""
        self.connect(receiver, sender, weak=False)
        try:
            yield
        finally:
            self.disconnect(receiver, sender)

    def disconnect(self, receiver: t.Callable[..., t.Any], sender: t.Any = ANY) -> None:
        """Stop calling *receiver* for *sender*, or for every sender (the default)."""
        skey = _ANY_KEY if sender is ANY else _key(sender)
        with self._lock:
            self._remove(_key(receiver), None if skey == _ANY_KEY else skey)
        _changed()

    def send(
        self, sender: t.Any = None, /, *, _async_wrapper: t.Any = None, **kwargs: t.Any
    ) -> list[tuple[t.Callable[..., t.Any], t.Any]]:
        """Call the receivers for *sender* (and those for every sender) with
        ``(sender, **kwargs)``, in the order they connected.

        A receiver's exception propagates; the receivers after it are not
        called.

        :param _async_wrapper: Turns a coroutine function receiver into a
            plain callable (Flask passes ``app.ensure_sync``).
        :return: ``[(receiver, what it returned), ...]``.
        """
        if not self.receivers:
            return []
        rv = []
        for receiver in self.receivers_for(sender):
            if inspect.iscoroutinefunction(receiver):
                if _async_wrapper is None:
                    raise RuntimeError(
                        f"Cannot send to the coroutine function {receiver!r}"
                        " without an _async_wrapper to run it."
                    )
                rv.append((receiver, _async_wrapper(receiver)(sender, **kwargs)))
            else:
                rv.append((receiver, receiver(sender, **kwargs)))
        return rv

    def has_receivers_for(self, sender: t.Any) -> bool:
        """Whether a send from *sender* would call any receiver (one connected
        for every sender counts)."""
        if not self.receivers:
            return False
        if self._by_sender.get(_ANY_KEY):
            return True
        if sender is ANY:
            return False
        return bool(self._by_sender.get(_key(sender)))

    def receivers_for(self, sender: t.Any) -> t.Iterator[t.Callable[..., t.Any]]:
        """Yield the live receivers a send from *sender* calls, in the order they connected."""
        keys = self._by_sender.get(_ANY_KEY, ())
        if sender is not ANY:
            own = self._by_sender.get(_key(sender), ())
            if own:
                keys = tuple(dict.fromkeys((*keys, *own)))
        for rkey in keys:
            ref = self.receivers.get(rkey)
            if ref is None:
                continue  # disconnected since the snapshot
            if isinstance(ref, weakref.ref):
                receiver = ref()
                if receiver is None:
                    continue  # gone; its callback forgets it
                yield receiver
            else:
                yield ref

    def _remove(self, rkey: t.Hashable, skey: t.Hashable | None) -> None:
        """Forget receiver *rkey* for sender *skey*, or for all when ``None``.

        Called with the lock held.
        """
        senders = self._by_receiver.get(rkey, frozenset())
        for key in senders if skey is None else senders & {skey}:
            left = tuple(k for k in self._by_sender.get(key, ()) if k != rkey)
            if left:
                self._by_sender[key] = left
            else:
                self._by_sender.pop(key, None)
                self._senders.pop(key, None)
        rest = frozenset() if skey is None else senders - {skey}
        if rest:
            self._by_receiver[rkey] = rest
        else:
            self._by_receiver.pop(rkey, None)
            self.receivers.pop(rkey, None)

    def _forget_receiver_callback(self, rkey: t.Hashable) -> t.Callable[[t.Any], None]:
        # A weak reference to the signal: the callback must not keep it alive.
        signal = weakref.ref(self)

        def forget(ref: t.Any) -> None:
            self_ = signal()
            if self_ is not None and self_.receivers.get(rkey) is ref:
                with self_._lock:
                    self_._remove(rkey, None)
                _changed()

        return forget

    def _forget_sender_callback(self, skey: t.Hashable) -> t.Callable[[t.Any], None]:
        signal = weakref.ref(self)

        def forget(ref: t.Any) -> None:
            self_ = signal()
            if self_ is None or self_._senders.get(skey) is not ref:
                return
            with self_._lock:
                for rkey in self_._by_sender.get(skey, ()):
                    self_._remove(rkey, skey)
                self_._senders.pop(skey, None)
            _changed()

        return forget

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {id(self):#x}>"


class NamedSignal(Signal):
    """A :class:`Signal` with a name, as :meth:`Namespace.signal` makes."""

    def __init__(self, name: str, doc: str | None = None) -> None:
        super().__init__(doc)
        #: The name it was made with.
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class Namespace(dict[str, NamedSignal]):
    """Signals by name: ``Namespace().signal("model-saved")`` for an app's own signals."""

    def signal(self, name: str, doc: str | None = None) -> NamedSignal:
        """Return the signal called *name*, made the first time it is asked for."""
        try:
            return self[name]
        except KeyError:
            return self.setdefault(name, NamedSignal(name, doc))


# Flask's own signals; only these count for receivers_connected.
_signals = Namespace()

#: Sent after a template was rendered: ``(app, template=, context=)``.
template_rendered = _signals.signal("template-rendered")
#: Sent before a template is rendered: ``(app, template=, context=)``; a
#: receiver may change the context.
before_render_template = _signals.signal("before-render-template")
#: Sent when a request starts, before the before-hooks: ``(app)``.
request_started = _signals.signal("request-started")
#: Sent when the response is made, after the after-hooks: ``(app, response=)``.
request_finished = _signals.signal("request-finished")
#: Sent after the request's teardown hooks ran: ``(app, exc=)``.
request_tearing_down = _signals.signal("request-tearing-down")
#: Sent for an exception nothing handled, before the 500 handler: ``(app, exception=)``.
got_request_exception = _signals.signal("got-request-exception")
#: Sent after the ``teardown_appcontext`` functions ran: ``(app, exc=)``.
appcontext_tearing_down = _signals.signal("appcontext-tearing-down")
#: Sent when an application context is bound (by ``app.app_context()`` or a request): ``(app)``.
appcontext_pushed = _signals.signal("appcontext-pushed")
#: Sent when an application context has ended: ``(app)``.
appcontext_popped = _signals.signal("appcontext-popped")
#: Sent when ``flash`` flashes a message: ``(app, message=, category=)``.
message_flashed = _signals.signal("message-flashed")


# Each change of receivers recomputes the flag under this lock, after the
# change: whichever recomputation runs last has seen every change before it.
_flag_lock = threading.RLock()


def _changed() -> None:
    global receivers_connected
    with _flag_lock:
        receivers_connected = any(signal.receivers for signal in _signals.values())


__all__ = [
    "ANY",
    "NamedSignal",
    "Namespace",
    "Signal",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "receivers_connected",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "template_rendered",
]

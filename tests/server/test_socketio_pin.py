"""Guards the python-socketio pin. From 5.10 on, AsyncServer.enter_room is a coroutine
that Rasa 3.6 calls without awaiting: the widget connects, but every bot reply is sent
to a room the browser never joined, so parents see nothing. (The end-to-end proof is
tests/system/test_run_command.py::test_socketio_widget_gets_the_answer.)"""

import inspect

import socketio


def test_enter_room_is_not_a_coroutine():
    assert not inspect.iscoroutinefunction(socketio.AsyncServer.enter_room), (
        "python-socketio was upgraded past 5.9.x: bot replies would never reach the "
        "widget. Keep python-socketio==5.9.0 in requirements.txt."
    )
